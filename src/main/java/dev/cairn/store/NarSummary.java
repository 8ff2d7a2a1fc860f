package dev.cairn.store;

import dev.cairn.nix.Hash;

/** The NAR size and sha256 of a node's rendering: what a narinfo's NarSize and NarHash must say. */
public record NarSummary(long narSize, Hash narSha256) {}
