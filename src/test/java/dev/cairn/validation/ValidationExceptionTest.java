package dev.cairn.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ValidationExceptionTest {
  @Test
  void fieldAndRuleMakeTheMessage() {
    ValidationException e = new ValidationException("directories[2].name", "must not contain '/'");
    assertEquals("directories[2].name: must not contain '/'", e.getMessage());
    assertEquals("directories[2].name", e.field());
    assertEquals("must not contain '/'", e.rule());
  }

  @Test
  void aMessageWrittenFieldColonRuleIsSplitAtTheFirstColon() {
    ValidationException e = ValidationException.of("body[3].output_sig: required string: see the docs");
    assertEquals("body[3].output_sig", e.field());
    assertEquals("required string: see the docs", e.rule());
    assertEquals("body[3].output_sig: required string: see the docs", e.getMessage());
  }

  @Test
  void aMessageWithoutAFieldIsAboutTheRequest() {
    ValidationException e = ValidationException.of("no entries");
    assertEquals("request", e.field());
    assertEquals("no entries", e.getMessage());
  }

  @Test
  void aRuleStatedInProseKeepsItsWording() {
    ValidationException e = ValidationException.stated("store_path", "store path name must not be empty");
    assertEquals("store_path", e.field());
    assertEquals("store path name must not be empty", e.getMessage());
  }

  @Test
  void underPrefixesTheField() {
    ValidationException e = new ValidationException("name", "must not be empty").under("entries[1]");
    assertEquals("entries[1].name", e.field());
    assertEquals("entries[1].name: must not be empty", e.getMessage());
  }
}
