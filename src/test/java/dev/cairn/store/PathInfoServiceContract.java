package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.castore.SymlinkTarget;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link PathInfoService} contract as executable rules. A backend's test class extends this
 * and says how to open the backend over a castore (where the paths' contents are ingested) for
 * each SQL dialect; every rule then runs against it on SQLite and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PathInfoServiceContract {
  /** A backend under test and the castore its paths' contents go to. */
  protected interface Backend extends AutoCloseable {
    CastoreFixture castore();

    PathInfoService service();
  }

  protected final Map<Dialect, Backend> backends = new EnumMap<>(Dialect.class);
  private int counter;

  protected abstract Backend open(Dialect dialect) throws Exception;

  @BeforeAll
  void openBackends() throws Exception {
    for (Dialect d : Dialect.values()) {
      backends.put(d, open(d));
    }
  }

  @AfterAll
  void closeBackends() throws Exception {
    for (Backend b : backends.values()) {
      b.close();
    }
  }

  /** A store path unique within this test class. */
  protected synchronized StorePath path(String name) {
    counter++;
    StringBuilder b = new StringBuilder();
    for (char ch : String.format("%032d", counter).toCharArray()) {
      b.append("abcdfghijk".charAt(ch - '0'));
    }
    return StorePath.parseBaseName(b + "-" + name);
  }

  /** Ingests a small tree with unique content and answers a signed PathInfo for {@code path}, with a deriver. */
  protected static PathInfo ingested(CastoreFixture f, StorePath path, List<StorePath> refs) throws Exception {
    Path dir = Files.createTempDirectory("pi");
    Files.writeString(dir.resolve("file"), path.baseName());
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(dir, nar);
    NarIngester.Result r = f.ingester.ingest(new ByteArrayInputStream(nar.toByteArray()));
    Node node = r.root().withName(PathComponent.of(path.baseNameBytes()));
    PathInfo unsigned = PathInfo.withUnresolvedReferences(path, node, r.narSize(), r.narSha256(), List.of(), Optional.empty(), Optional.empty(), refs);
    return unsigned.withSignatures(List.of(SecretKey.generate("test-1").sign(unsigned.fingerprint())))
        .withDeriver(StorePath.parseBaseName(path.hashPart() + "-" + path.name() + ".drv"));
  }

  private static PathInfoConflictException conflict(Future<?> put) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(put));
    return assertInstanceOf(PathInfoConflictException.class, e.getCause());
  }

  /** Same references, signatures and CA as {@code info}, one field changed. */
  private static PathInfo changed(PathInfo i, UnaryOperator<PathInfoFields> change) {
    PathInfoFields f = change.apply(new PathInfoFields(i.node(), i.narSize(), i.narSha256(), i.references(), i.deriver(), i.ca()));
    return PathInfo.withUnresolvedReferences(i.storePath(), f.node(), f.narSize(), f.narSha256(), i.signatures(), f.deriver(), f.ca(),
        f.references());
  }

  private record PathInfoFields(Node node, long narSize, Hash narSha256, List<StorePath> references, Optional<StorePath> deriver,
                                Optional<String> ca) {}

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void putThenGetAnswersEveryFieldAndTheReferenceOrder(Dialect d) throws Exception {
    Backend b = backends.get(d);
    StorePath z = path("zzz");
    StorePath a = path("aaa");
    PathInfo info = ingested(b.castore(), path("top"), List.of(z, a));
    await(b.service().put(info));
    PathInfo back = await(b.service().get(info.digest())).orElseThrow();
    assertEquals(List.of(z, a), back.references(), "order as received, for the fingerprint");
    assertEquals(info.fingerprint(), back.fingerprint());
    assertEquals(info.signatures(), back.signatures());
    assertEquals(info.node(), back.node());
    assertEquals(info.deriver(), back.deriver());
    assertEquals(List.of(), info.differencesFrom(back));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void getOfAnUnknownPathIsEmpty(Dialect d) throws Exception {
    assertTrue(await(backends.get(d).service().get(StorePathDigest.of(path("absent")))).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void anIdenticalPutIsIdempotent(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfo info = ingested(b.castore(), path("again"), List.of());
    await(b.service().put(info));
    PathInfo second = await(b.service().put(info));
    assertEquals(List.of(), info.differencesFrom(second));
    assertEquals(info.signatures(), second.signatures());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aPutOfDifferentContentIsRefusedNamingWhatDiffersAndChangesNothing(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfo info = ingested(b.castore(), path("immutable"), List.of(path("ref")));
    await(b.service().put(info));
    Hash otherHash = new Hash(HashAlgorithm.SHA256, new byte[32]);
    Node symlink = new SymlinkNode(info.node().name(), SymlinkTarget.of("/etc/shadow"));
    Map<String, PathInfo> attacks = Map.of(
        "node", changed(info, f -> new PathInfoFields(symlink, f.narSize(), f.narSha256(), f.references(), f.deriver(), f.ca())),
        "narinfo.nar_size", changed(info, f -> new PathInfoFields(f.node(), 1, f.narSha256(), f.references(), f.deriver(), f.ca())),
        "narinfo.nar_sha256", changed(info, f -> new PathInfoFields(f.node(), f.narSize(), otherHash, f.references(), f.deriver(), f.ca())),
        "references", changed(info, f -> new PathInfoFields(f.node(), f.narSize(), f.narSha256(), List.of(), f.deriver(), f.ca())),
        "narinfo.deriver", changed(info, f -> new PathInfoFields(f.node(), f.narSize(), f.narSha256(), f.references(), Optional.empty(), f.ca())),
        "narinfo.ca", changed(info, f -> new PathInfoFields(f.node(), f.narSize(), f.narSha256(), f.references(), f.deriver(),
            Optional.of("fixed:r:sha256:" + otherHash.toNix32()))));
    for (Map.Entry<String, PathInfo> attack : attacks.entrySet()) {
      PathInfoConflictException e = conflict(b.service().put(attack.getValue()));
      assertEquals(List.of(attack.getKey()), e.differences());
      assertTrue(e.getMessage().contains(attack.getKey()), e.getMessage());
    }
    PathInfo stored = await(b.service().get(info.digest())).orElseThrow();
    assertEquals(List.of(), info.differencesFrom(stored), "the stored path is unchanged");
    assertEquals(info.signatures(), stored.signatures());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void signaturesUnderNewKeyNamesAreMergedAndAnotherSignatureUnderAKnownNameIsRefused(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfo info = ingested(b.castore(), path("signed"), List.of());
    await(b.service().put(info));
    Signature second = SecretKey.generate("test-2").sign(info.fingerprint());
    PathInfo merged = await(b.service().put(info.withSignatures(List.of(second))));
    assertEquals(List.of(info.signatures().get(0), second), merged.signatures(), "the stored signatures, then the new one");
    assertEquals(merged.signatures(), await(b.service().get(info.digest())).orElseThrow().signatures());
    Signature impostor = SecretKey.generate("test-1").sign(info.fingerprint());
    assertEquals(List.of("narinfo.signatures"), conflict(b.service().put(info.withSignatures(List.of(impostor)))).differences());
    assertEquals(merged.signatures(), await(b.service().get(info.digest())).orElseThrow().signatures());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void concurrentPutsOfOnePathStoreItOnceAndMergeEverySignature(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfo info = ingested(b.castore(), path("raced"), List.of());
    List<Future<PathInfo>> puts = new ArrayList<>();
    List<Signature> sigs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Signature s = SecretKey.generate("racer-" + i).sign(info.fingerprint());
      sigs.add(s);
      puts.add(b.service().put(info.withSignatures(List.of(s))));
    }
    await(Future.all(puts));
    List<Signature> stored = await(b.service().get(info.digest())).orElseThrow().signatures();
    assertEquals(8, stored.size(), "no merge was lost: " + stored);
    assertTrue(stored.containsAll(sigs));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void listsInDigestOrderInPages(Dialect d) throws Exception {
    Backend b = backends.get(d);
    for (int i = 0; i < 5; i++) {
      await(b.service().put(ingested(b.castore(), path("list" + i), List.of())));
    }
    List<PathInfo> all = new ArrayList<>();
    Optional<StorePathDigest> after = Optional.empty();
    while (true) {
      List<PathInfo> page = await(b.service().list(after, 2));
      assertTrue(page.size() <= 2);
      if (page.isEmpty()) {
        break;
      }
      all.addAll(page);
      after = Optional.of(page.get(page.size() - 1).digest());
    }
    assertTrue(all.size() >= 5);
    List<StorePathDigest> digests = all.stream().map(PathInfo::digest).toList();
    assertEquals(digests.stream().sorted().distinct().toList(), digests, "digest order, each once");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void deleteRemovesAPathWhichMayThenBePutWithOtherContent(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfo info = ingested(b.castore(), path("deleted"), List.of());
    await(b.service().put(info));
    assertTrue(await(b.service().delete(info.digest())));
    assertTrue(await(b.service().get(info.digest())).isEmpty());
    assertFalse(await(b.service().delete(info.digest())));
    PathInfo other = changed(info, f -> new PathInfoFields(new SymlinkNode(info.node().name(), SymlinkTarget.of("x")), f.narSize(),
        f.narSha256(), f.references(), f.deriver(), f.ca()));
    await(b.service().put(other));
    assertEquals(other.node(), await(b.service().get(info.digest())).orElseThrow().node());
  }
}
