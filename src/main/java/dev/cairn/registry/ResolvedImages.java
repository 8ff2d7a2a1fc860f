package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last resolution of each image name in memory, so that a warm {@code latest} skips the
 * closure walk, layering, layer lookups and rendering. PathInfos never change, so the image of
 * given top-level paths never does either: an entry answers while the name still resolves to the
 * same top-level paths and its manifest is still the name's current one in {@code registry_images}
 * (a collection removes nothing a current manifest names, so everything the entry names is still
 * served). At most {@link #MAX_ENTRIES} names, the least recently used dropped first.
 */
final class ResolvedImages {
  static final int MAX_ENTRIES = 256;

  /** One resolution: the top-level paths it was made from and its documents. */
  record Entry(List<StorePath> tops, ImageDocuments docs) {
    Entry {
      tops = List.copyOf(tops);
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** The documents last resolved for the repository from exactly these top-level paths. */
  synchronized Optional<ImageDocuments> get(String repository, List<StorePath> tops) {
    Entry e = entries.get(repository);
    return e != null && e.tops().equals(tops) ? Optional.of(e.docs()) : Optional.empty();
  }

  synchronized void put(String repository, List<StorePath> tops, ImageDocuments docs) {
    entries.put(repository, new Entry(tops, docs));
  }

  synchronized void remove(String repository) {
    entries.remove(repository);
  }
}
