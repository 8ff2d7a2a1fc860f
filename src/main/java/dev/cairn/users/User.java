package dev.cairn.users;

/** A person or builder that holds API tokens, with the role that says what it may do. */
public record User(long id, String name, long createdAtMillis, boolean revoked, Role role) {}
