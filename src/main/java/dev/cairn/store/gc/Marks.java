package dev.cairn.store.gc;

/** What the mark phase found reachable: directories and blobs (chunks follow from blobs in the database). */
record Marks(DigestSet directories, DigestSet blobs) {
  static Marks empty() {
    return new Marks(new DigestSet(), new DigestSet());
  }
}
