package dev.cairn.attest;

/** A builder's latest word on one output: its hash, whether its signature verified, and when. */
public record Vote(long userId, String builder, String hash, SigStatus sigStatus, long createdAtMillis) {}
