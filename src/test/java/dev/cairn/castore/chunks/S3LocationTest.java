package dev.cairn.castore.chunks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.validation.ValidationException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3LocationTest {
  @Test
  void parsesEveryPart() {
    S3Location l = S3Location.parse(
        "s3://cairn-blobs/site/a?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=true");
    assertEquals("cairn-blobs", l.bucket());
    assertEquals("site/a", l.prefix());
    assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), l.endpoint());
    assertEquals(Optional.of("eu-west-1"), l.region());
    assertTrue(l.pathStyle());
    assertEquals("site/a/", l.keyPrefix());
    assertEquals("http://127.0.0.1:9000", l.where());
  }

  @Test
  void onlyTheBucketIsRequired() {
    S3Location l = S3Location.parse("s3://my.bucket-1");
    assertEquals("my.bucket-1", l.bucket());
    assertEquals("", l.prefix());
    assertEquals("", l.keyPrefix());
    assertEquals(Optional.empty(), l.endpoint());
    assertEquals(Optional.empty(), l.region());
    assertFalse(l.pathStyle());
    assertEquals("AWS S3", l.where());
  }

  @Test
  void slashesAroundThePrefixAreDropped() {
    assertEquals("a/b", S3Location.parse("s3://bucket//a/b/").prefix());
    assertEquals("", S3Location.parse("s3://bucket/").prefix());
  }

  @Test
  void escapedEndpointsAreDecoded() {
    assertEquals(Optional.of(URI.create("https://s3.example.org:8443")),
        S3Location.parse("s3://bucket?endpoint=https%3A%2F%2Fs3.example.org%3A8443").endpoint());
  }

  @Test
  void theCanonicalTextIsReadable() {
    assertEquals("s3://bucket/p?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true",
        S3Location.parse("s3://bucket/p/?path_style=true&region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000")
            .toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "s3://bucket",
      "s3://bucket/p/q",
      "s3://bucket/p?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true",
      "s3://bucket?path_style=true",
      "s3://bucket?region=auto",
  })
  void theCanonicalTextParsesBackToTheSameLocation(String text) {
    S3Location l = S3Location.parse(text);
    assertEquals(l, S3Location.parse(l.toString()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "http://bucket/p                       | url        | must start with s3://",
      "s3:///prefix                          | bucket     | missing",
      "s3://ab                               | bucket     | must be 3 to 63 characters",
      "s3://Bucket                           | bucket     | must be 3 to 63 characters",
      "s3://under_score                      | bucket     | must be 3 to 63 characters",
      "s3://-bucket                          | bucket     | beginning and ending with a letter or digit",
      "s3://bucket-                          | bucket     | beginning and ending with a letter or digit",
      "s3://a..b                             | bucket     | two adjacent periods",
      "s3://192.168.1.1                      | bucket     | IP address",
      "s3://user@bucket                      | bucket     | must be 3 to 63 characters",
      "s3://bucket:9000                      | bucket     | must be 3 to 63 characters",
      "s3://bucket/a//b                      | prefix     | non-empty segments",
      "s3://bucket/a/../b                    | prefix     | none of them '.' or '..'",
      "s3://bucket/a b                       | url        | not a URL",
      "s3://bucket/a%20b                     | prefix     | non-empty segments",
      "s3://bucket?endpoint=ftp://host       | endpoint   | must be an http:// or https:// URL",
      "s3://bucket?endpoint=host:9000        | endpoint   | must be an http:// or https:// URL",
      "s3://bucket?endpoint=http://u:p@h:1   | endpoint   | must not carry credentials",
      "s3://bucket?endpoint=http://h:1/path  | endpoint   | scheme://host[:port] only",
      "s3://bucket?endpoint=http:///x        | endpoint   | has no host",
      "s3://bucket?region=EU                 | region     | must be 1 to 64 characters",
      "s3://bucket?path_style=yes            | path_style | must be true or false",
      "s3://bucket?pathstyle=true            | url        | unknown parameter \"pathstyle\"",
      "s3://bucket?region=a&region=b         | region     | given twice",
      "s3://bucket?region                    | url        | must be name=value",
      "s3://bucket#frag                      | url        | #fragment",
      "s3://bucket?region=%zz                | url        | Malformed escape",
  })
  void rejectsWithThePartAndTheRule(String text, String part, String rule) {
    ValidationException e = assertThrows(ValidationException.class, () -> S3Location.parse(text));
    assertEquals(part, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(rule), e.getMessage());
  }
}
