package dev.cairn.users;

import java.util.regex.Pattern;

/** A validated user name: 1..64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit. */
public record UserName(String value) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public UserName {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException("user name must be 1..64 characters of [A-Za-z0-9._-] starting with a letter or digit (got \""
          + value + "\")");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
