package dev.cairn.nix;

import java.util.Arrays;

/** The name and target rules shared by the NAR parser and writer (WIRE.md §1). */
final class NarNames {
  static final int MAX_NAME = 255;
  static final int MAX_TARGET = 4095;

  private NarNames() {}

  /** Null if valid, else the rule broken. */
  static String checkName(byte[] name) {
    if (name.length == 0) {
      return "entry name is empty";
    }
    if (name.length > MAX_NAME) {
      return "entry name is " + name.length + " bytes, more than " + MAX_NAME;
    }
    if (Arrays.equals(name, new byte[] {'.'}) || Arrays.equals(name, new byte[] {'.', '.'})) {
      return "entry name must not be . or ..";
    }
    for (byte b : name) {
      if (b == '/') {
        return "entry name contains '/'";
      }
      if (b == 0) {
        return "entry name contains NUL";
      }
    }
    return null;
  }

  static String checkTarget(byte[] target) {
    if (target.length == 0) {
      return "symlink target is empty";
    }
    if (target.length > MAX_TARGET) {
      return "symlink target is " + target.length + " bytes, more than " + MAX_TARGET;
    }
    for (byte b : target) {
      if (b == 0) {
        return "symlink target contains NUL";
      }
    }
    return null;
  }
}
