package dev.cairn.build.fuse;

/** A failed FUSE operation: the (positive) errno the kernel gets, negated, as the callback's answer. */
final class FuseErrno extends Exception {
  final int errno;

  FuseErrno(int errno, String message) {
    super(message, null, false, false);
    this.errno = errno;
  }
}
