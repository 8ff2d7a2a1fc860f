package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.cairn.grpc.proto.tvix.castore.v1.Directory.Builder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryTest {
  static final B3Digest EMPTY_BLOB =
      B3Digest.fromHex("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  static final ByteString D32 = ByteString.copyFrom(new byte[32]);

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode dirProto(String name, long size) {
    return dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode.newBuilder()
        .setName(bytes(name)).setDigest(D32).setSize(size).build();
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.FileNode fileProto(ByteString name) {
    return dev.cairn.grpc.proto.tvix.castore.v1.FileNode.newBuilder()
        .setName(name).setDigest(D32).setSize(1).build();
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.FileNode fileProto(String name) {
    return fileProto(bytes(name));
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode linkProto(String name, ByteString target) {
    return dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode.newBuilder()
        .setName(bytes(name)).setTarget(target).build();
  }

  static Builder proto() {
    return dev.cairn.grpc.proto.tvix.castore.v1.Directory.newBuilder();
  }

  static ValidationException rejects(Builder b, String field, String ruleFragment) {
    var e = assertThrows(ValidationException.class, () -> Directory.fromProto(b.build()));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(ruleFragment), e.getMessage());
    return e;
  }

  // --- digests -------------------------------------------------------------------------------

  @Test
  void emptyDirectoryHasTheKnownDigest() {
    assertEquals(EMPTY_BLOB, Directory.empty().digest());
    assertEquals(0, Directory.empty().encode().length);
  }

  @Test
  void directoryWithOneEmptyKeepFileHasTheKnownDigest() {
    Directory d = Directory.of(new FileNode(PathComponent.of(".keep"), EMPTY_BLOB, 0, false));
    assertEquals(
        "8b5b5d642b646bb8ed504b0862c39413e87e57491497de7bd075953f7b83810e", d.digest().hex());
  }

  @Test
  void unknownFieldsAreDroppedBeforeHashing() {
    var withUnknown = proto()
        .addFiles(fileProto(".keep").toBuilder().setDigest(ByteString.copyFrom(EMPTY_BLOB.bytes()))
            .setSize(0)
            .setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))
        .setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(7, UnknownFieldSet.Field.newBuilder().addVarint(42).build()).build())
        .build();
    Directory d = Directory.decode(withUnknown.toByteArray());
    assertEquals(
        "8b5b5d642b646bb8ed504b0862c39413e87e57491497de7bd075953f7b83810e", d.digest().hex());
  }

  @Test
  void encodingRoundTripsThroughProto() {
    Directory d = Directory.fromProto(proto()
        .addDirectories(dirProto("a", 0))
        .addFiles(fileProto("b"))
        .addSymlinks(linkProto("c", bytes("../x")))
        .build());
    assertEquals(d, Directory.decode(d.encode()));
    assertArrayEquals(d.encode(), Directory.decode(d.encode()).encode());
    assertEquals(d.digest(), Blake3Hasher.hash(d.toProto().toByteArray()));
  }

  @Test
  void ofSortsNodesIntoTheirLists() {
    Directory d = Directory.of(
        new SymlinkNode(PathComponent.of("z"), SymlinkTarget.of("t")),
        new FileNode(PathComponent.of("b"), EMPTY_BLOB, 0, true),
        new FileNode(PathComponent.of("a"), EMPTY_BLOB, 0, false),
        new DirectoryNode(PathComponent.of("m"), EMPTY_BLOB, 0));
    assertEquals(List.of("a", "b"), d.files().stream().map(f -> f.name().toString()).toList());
    assertEquals(List.of("a", "b", "m", "z"), d.nodes().stream().map(n -> n.name().toString()).toList());
  }

  // --- sizes ---------------------------------------------------------------------------------

  @Test
  void sizeFollowsTheChosenFormula() {
    // F=1, S=1, D=2 with child sizes 3 and 5.
    Directory d = Directory.fromProto(proto()
        .addDirectories(dirProto("a", 3)).addDirectories(dirProto("b", 5))
        .addFiles(fileProto("c")).addSymlinks(linkProto("d", bytes("t"))).build());
    assertEquals(4 + 8, d.size(DirectorySizeFormula.PROTO));
    assertEquals(2 * 4 + 8, d.size(DirectorySizeFormula.TVIX));
    assertEquals(DirectorySizeFormula.TVIX, DirectorySizeFormula.DEFAULT);
    assertEquals(16, DirectoryNode.of(PathComponent.of("x"), d, DirectorySizeFormula.DEFAULT).size());
  }

  @Test
  void toleratesEverySizeBetweenTheTwoFormulas() {
    Directory child = Directory.of(new FileNode(PathComponent.of("f"), EMPTY_BLOB, 0, false),
        new DirectoryNode(PathComponent.of("d"), EMPTY_BLOB, 0));
    for (long claimed = 2; claimed <= 4; claimed++) {
      DirectorySizeFormula.checkClaimedSize("directories[0].size", claimed, child);
    }
  }

  @Test
  void rejectsDirectoryNodeSizeBelowTheProtoFormula() {
    Directory child = Directory.of(new FileNode(PathComponent.of("f"), EMPTY_BLOB, 0, false));
    var e = assertThrows(ValidationException.class,
        () -> DirectorySizeFormula.checkClaimedSize("directories[0].size", 0, child));
    assertEquals("directories[0].size", e.field());
  }

  @Test
  void rejectsDirectoryNodeSizeAboveTheTvixFormula() {
    Directory child = Directory.of(new FileNode(PathComponent.of("f"), EMPTY_BLOB, 0, false));
    assertThrows(ValidationException.class,
        () -> DirectorySizeFormula.checkClaimedSize("directories[0].size", 3, child));
  }

  @Test
  void rejectsSizeAboveTwoToTheSixtyThree() {
    rejects(proto().addDirectories(dirProto("a", -1)), "directories[0].size", "2^63-1");
    rejects(proto().addFiles(fileProto("a").toBuilder().setSize(Long.MIN_VALUE)),
        "files[0].size", "2^63-1");
  }

  @Test
  void rejectsDirectoryWhoseSizeOverflows() {
    rejects(proto().addDirectories(dirProto("a", Long.MAX_VALUE)).addDirectories(dirProto("b", 1)),
        "directories", "overflows");
    rejects(proto().addDirectories(dirProto("a", Long.MAX_VALUE - 1)), "directories", "overflows");
  }

  // --- ordering and uniqueness ---------------------------------------------------------------

  @Test
  void rejectsDirectoryWithUnsortedDirectoryNames() {
    rejects(proto().addDirectories(dirProto("b", 0)).addDirectories(dirProto("a", 0)),
        "directories[1].name", "strictly increase");
  }

  @Test
  void rejectsDirectoryWithUnsortedFileNames() {
    rejects(proto().addFiles(fileProto("b")).addFiles(fileProto("a")), "files[1].name", "strictly increase");
  }

  @Test
  void rejectsDirectoryWithUnsortedSymlinkNames() {
    rejects(proto().addSymlinks(linkProto("b", bytes("t"))).addSymlinks(linkProto("a", bytes("t"))),
        "symlinks[1].name", "strictly increase");
  }

  @Test
  void ordersNamesByUnsignedRawBytes() {
    ByteString eAcute = ByteString.copyFrom(new byte[] {(byte) 0xc3, (byte) 0xa9});
    Directory.fromProto(proto().addFiles(fileProto("a")).addFiles(fileProto(eAcute)).build());
    rejects(proto().addFiles(fileProto(eAcute)).addFiles(fileProto("a")), "files[1].name", "strictly increase");
  }

  @Test
  void rejectsDuplicateNameWithinAList() {
    rejects(proto().addFiles(fileProto("a")).addFiles(fileProto("a")), "files[1].name", "duplicate");
  }

  @Test
  void rejectsSameNameInTwoLists() {
    rejects(proto().addDirectories(dirProto("a", 0)).addFiles(fileProto("a")), "files[0].name",
        "more than once");
    rejects(proto().addFiles(fileProto("a")).addSymlinks(linkProto("a", bytes("t"))),
        "symlinks[0].name", "more than once");
  }

  @Test
  void ofRejectsDuplicateNames() {
    var f = new FileNode(PathComponent.of("a"), EMPTY_BLOB, 0, false);
    assertThrows(ValidationException.class, () -> Directory.of(f, f.withName(PathComponent.of("a"))));
    assertThrows(ValidationException.class,
        () -> Directory.of(f, new SymlinkNode(PathComponent.of("a"), SymlinkTarget.of("t"))));
  }

  @Test
  void ofRejectsAnonymousNodes() {
    assertThrows(ValidationException.class,
        () -> Directory.of(new FileNode(PathComponent.ANONYMOUS, EMPTY_BLOB, 0, false)));
  }

  // --- names ---------------------------------------------------------------------------------

  @Test
  void rejectsEmptyName() {
    rejects(proto().addFiles(fileProto("")), "files[0].name", "empty");
  }

  @Test
  void rejectsNameLongerThan255Bytes() {
    char[] n = new char[256];
    Arrays.fill(n, 'x');
    rejects(proto().addFiles(fileProto(new String(n))), "files[0].name", "at most 255");
    Directory.fromProto(proto().addFiles(fileProto(new String(n, 0, 255))).build());
  }

  @Test
  void rejectsNameWithSlash() {
    rejects(proto().addDirectories(dirProto("a/b", 0)), "directories[0].name", "'/'");
  }

  @Test
  void rejectsNameWithNul() {
    rejects(proto().addSymlinks(linkProto("a\0b", bytes("t"))), "symlinks[0].name", "NUL");
  }

  @Test
  void rejectsDotAndDotDotNames() {
    rejects(proto().addDirectories(dirProto(".", 0)), "directories[0].name", "'.' or '..'");
    rejects(proto().addFiles(fileProto("..")), "files[0].name", "'.' or '..'");
    Directory.fromProto(proto().addFiles(fileProto("...")).addFiles(fileProto(".keep")).build());
  }

  // --- digests and targets -------------------------------------------------------------------

  @Test
  void rejectsDirectoryNodeDigestOfWrongLength() {
    rejects(proto().addDirectories(dirProto("a", 0).toBuilder().setDigest(ByteString.copyFrom(new byte[31]))),
        "directories[0].digest", "exactly 32 bytes");
  }

  @Test
  void rejectsFileNodeDigestOfWrongLength() {
    rejects(proto().addFiles(fileProto("a").toBuilder().setDigest(ByteString.copyFrom(new byte[33]))),
        "files[0].digest", "exactly 32 bytes");
    rejects(proto().addFiles(fileProto("a").toBuilder().setDigest(ByteString.EMPTY)),
        "files[0].digest", "got 0");
  }

  @Test
  void rejectsEmptySymlinkTarget() {
    rejects(proto().addSymlinks(linkProto("a", ByteString.EMPTY)), "symlinks[0].target", "empty");
  }

  @Test
  void rejectsSymlinkTargetLongerThan4095Bytes() {
    byte[] big = new byte[4096];
    Arrays.fill(big, (byte) 'x');
    rejects(proto().addSymlinks(linkProto("a", ByteString.copyFrom(big))), "symlinks[0].target", "at most 4095");
    Directory.fromProto(proto().addSymlinks(linkProto("a", ByteString.copyFrom(big, 0, 4095))).build());
  }

  @Test
  void rejectsSymlinkTargetWithNul() {
    rejects(proto().addSymlinks(linkProto("a", bytes("x\0y"))), "symlinks[0].target", "NUL");
  }

  @Test
  void rejectsBytesThatAreNotADirectoryMessage() {
    var e = assertThrows(ValidationException.class, () -> Directory.decode(new byte[] {(byte) 0xff}));
    assertEquals("directory", e.field());
  }
}
