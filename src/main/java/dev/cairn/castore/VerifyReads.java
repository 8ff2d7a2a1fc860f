package dev.cairn.castore;

/**
 * When a chunk read from the store is hashed against its digest ({@code castore.verify_reads}).
 * Either way no byte that fails its digest is served; they differ in what finds a chunk file
 * that rots without being written to (see bench/README.md, issue 10, for the cost of each).
 */
public enum VerifyReads {
  /** Every chunk read is hashed before any of its bytes are handed out. */
  ALWAYS,
  /**
   * A chunk file is hashed on its first read; later reads of the same file version (file key,
   * size, modification and change times: any write changes them) are trusted, and the
   * background scrub ({@code castore.scrub_interval}) re-hashes every chunk file. Stores that
   * cannot name a version (S3) are hashed on every read.
   */
  ONCE
}
