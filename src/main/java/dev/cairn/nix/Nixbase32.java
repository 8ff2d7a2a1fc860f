package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

/**
 * Nix's base-32: alphabet without e, o, u, t; character i counted from the end holds the
 * 5 bits starting at bit 5*i of the bytes read as little-endian (WIRE.md §1).
 */
public final class Nixbase32 {
  public static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
  private static final byte[] INDEX = new byte[128];

  static {
    java.util.Arrays.fill(INDEX, (byte) -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      INDEX[ALPHABET.charAt(i)] = (byte) i;
    }
  }

  private Nixbase32() {}

  public static int encodedLength(int bytes) {
    return bytes == 0 ? 0 : (bytes * 8 - 1) / 5 + 1;
  }

  public static String encode(byte[] bytes) {
    int len = encodedLength(bytes.length);
    char[] out = new char[len];
    for (int n = len - 1; n >= 0; n--) {
      int b = n * 5;
      int i = b / 8;
      int j = b % 8;
      int c = (bytes[i] & 0xff) >>> j;
      if (i + 1 < bytes.length) {
        c |= (bytes[i + 1] & 0xff) << (8 - j);
      }
      out[len - 1 - n] = ALPHABET.charAt(c & 0x1f);
    }
    return new String(out);
  }

  /** Decodes {@code text} into {@code size} bytes; rejects wrong length, foreign characters and overflowing bits. */
  public static byte[] decode(String text, int size) {
    if (text.length() != encodedLength(size)) {
      throw ValidationException.stated("nixbase32", "nixbase32: expected " + encodedLength(size) + " characters for " + size
          + " bytes, got " + text.length());
    }
    byte[] out = new byte[size];
    int len = text.length();
    for (int n = 0; n < len; n++) {
      char ch = text.charAt(len - n - 1);
      int digit = ch < 128 ? INDEX[ch] : -1;
      if (digit < 0) {
        throw ValidationException.stated("nixbase32", "nixbase32: character '" + ch + "' at position " + (len - n - 1)
            + " is not in the alphabet " + ALPHABET);
      }
      int b = n * 5;
      int i = b / 8;
      int j = b % 8;
      out[i] |= (byte) (digit << j);
      int carry = digit >>> (8 - j);
      if (i + 1 < size) {
        out[i + 1] |= (byte) carry;
      } else if (carry != 0) {
        throw ValidationException.stated("nixbase32", "nixbase32: \"" + text + "\" has bits set beyond " + size + " bytes");
      }
    }
    return out;
  }

  /** Decodes a string whose byte length follows from its length (as in store path hashes). */
  public static byte[] decode(String text) {
    int size = text.length() * 5 / 8;
    return decode(text, size);
  }

  public static boolean isValid(String text, int size) {
    try {
      decode(text, size);
      return true;
    } catch (ValidationException e) {
      return false;
    }
  }
}
