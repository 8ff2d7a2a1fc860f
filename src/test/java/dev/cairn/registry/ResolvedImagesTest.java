package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nix.StorePath;
import dev.cairn.registry.RegistryIndex.Document;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A held resolution answers only for the same name and the same top-level paths (a newer path of a
 * package misses), and the least recently used name goes first once {@link ResolvedImages#MAX_ENTRIES}
 * are held.
 */
class ResolvedImagesTest {
  private static final StorePath OLD = StorePath.parse("/nix/store/0c0rqfxcqhm1gd5vql8nn1dlqwwfzj7b-busybox-1.0");
  private static final StorePath NEW = StorePath.parse("/nix/store/1c0rqfxcqhm1gd5vql8nn1dlqwwfzj7b-busybox-1.1");

  @Test
  void answersTheSameNameAndTopsOnly() {
    ResolvedImages held = new ResolvedImages();
    ImageDocuments docs = docs("a");
    held.put("busybox", List.of(OLD), docs);
    assertEquals(Optional.of(docs), held.get("busybox", List.of(OLD)));
    assertEquals(Optional.empty(), held.get("busybox", List.of(NEW)));
    assertEquals(Optional.empty(), held.get("busybox", List.of(OLD, NEW)));
    assertEquals(Optional.empty(), held.get("other", List.of(OLD)));
    held.remove("busybox");
    assertEquals(Optional.empty(), held.get("busybox", List.of(OLD)));
  }

  @Test
  void dropsTheLeastRecentlyUsedNameBeyondTheBound() {
    ResolvedImages held = new ResolvedImages();
    for (int i = 0; i < ResolvedImages.MAX_ENTRIES; i++) {
      held.put("n" + i, List.of(OLD), docs("n" + i));
    }
    assertTrue(held.get("n0", List.of(OLD)).isPresent());
    held.put("extra", List.of(OLD), docs("extra"));
    assertTrue(held.get("n0", List.of(OLD)).isPresent(), "used last, kept");
    assertEquals(Optional.empty(), held.get("n1", List.of(OLD)));
    assertTrue(held.get("extra", List.of(OLD)).isPresent());
  }

  private static ImageDocuments docs(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return new ImageDocuments(Document.of(ImageDocuments.OCI_CONFIG, b), Document.of(ImageDocuments.OCI_MANIFEST, b),
        Document.of(ImageDocuments.DOCKER_MANIFEST, b));
  }
}
