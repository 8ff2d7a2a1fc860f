package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A repository name (WIRE.md §5 grammar) read as the packages of an image: each component names a
 * package by its name without version (or its whole name), {@code store/<hash32>} names one exact
 * store path. Several packages make one image of their union. The reserved component
 * {@value #NON_ROOT} (anywhere in the name, not a package) asks for an image whose config runs as
 * the customisation layer's unprivileged {@code nobody} user.
 */
record ImageName(String repository, List<Package> packages, boolean nonRoot) {
  static final String NON_ROOT = "nonroot";
  static final int MAX_LENGTH = 255;
  static final int MAX_PACKAGES = 64;
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");

  /** One package of an image. */
  sealed interface Package permits ByName, ByHash {
    String describe();
  }

  record ByName(String name) implements Package {
    @Override
    public String describe() {
      return name;
    }
  }

  record ByHash(String hashPart) implements Package {
    @Override
    public String describe() {
      return "store/" + hashPart;
    }
  }

  ImageName {
    packages = List.copyOf(packages);
  }

  static ImageName parse(String repository) {
    if (repository.isEmpty() || repository.length() > MAX_LENGTH) {
      throw RegistryError.nameInvalid(repository, "must be 1 to " + MAX_LENGTH + " characters");
    }
    String[] parts = repository.split("/", -1);
    List<Package> packages = new ArrayList<>();
    boolean nonRoot = false;
    for (int i = 0; i < parts.length; i++) {
      if (!COMPONENT.matcher(parts[i]).matches()) {
        throw RegistryError.nameInvalid(repository, "component " + (i + 1) + " must match [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");
      }
      if (parts[i].equals(NON_ROOT)) {
        nonRoot = true;
      } else if (parts[i].equals("store")) {
        if (i + 1 == parts.length) {
          throw RegistryError.nameInvalid(repository, "store/ must be followed by a store path hash");
        }
        String hash = parts[++i];
        try {
          StorePath.fromHashPart(hash);
        } catch (ValidationException e) {
          throw RegistryError.nameInvalid(repository, "store/" + hash + ": " + e.getMessage());
        }
        packages.add(new ByHash(hash));
      } else {
        packages.add(new ByName(parts[i]));
      }
    }
    if (packages.isEmpty()) {
      throw RegistryError.nameInvalid(repository, NON_ROOT + " must come with at least one package");
    }
    if (packages.size() > MAX_PACKAGES) {
      throw RegistryError.nameInvalid(repository, "at most " + MAX_PACKAGES + " packages per image");
    }
    return new ImageName(repository, packages, nonRoot);
  }
}
