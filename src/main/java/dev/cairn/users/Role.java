package dev.cairn.users;

import java.util.Locale;

/**
 * What a user may do. Roles are nested — an admin may do everything a writer may, a writer
 * everything a reader may — so every route asks one question: {@code user.role().allows(REQUIRED)}.
 */
public enum Role {
  /** Reads on instances configured private; nothing else. */
  READER,
  /** Attestations, reports, key registration, uploads ({@code nix copy --to}, gRPC writes), builds. */
  WRITER,
  /** Everything a writer may, plus users, link patterns, garbage collection and pins. */
  ADMIN;

  /** Whether a user with this role may do what needs {@code required}. */
  public boolean allows(Role required) {
    return compareTo(required) >= 0;
  }

  /** The name stored in the database and used on the command line: {@code admin}, {@code writer}, {@code reader}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code admin|writer|reader}; anything else is refused with the list of roles. */
  public static Role parse(String value) {
    for (Role r : values()) {
      if (r.id().equals(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException("role must be one of admin, writer, reader (got \"" + value + "\")");
  }

  @Override
  public String toString() {
    return id();
  }
}
