package dev.cairn.users;

/** A person or builder that holds API tokens. */
public record User(long id, String name, long createdAtMillis, boolean revoked) {}
