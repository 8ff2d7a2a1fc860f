package dev.cairn.server.cli;

import dev.cairn.nix.SecretKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage Nix signing keys.",
    subcommands = {KeyCommand.Generate.class})
final class KeyCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: generate");
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Generate an Ed25519 key pair in Nix's key-file formats (as nix-store --generate-binary-cache-key).")
  static final class Generate implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Key name, e.g. cache.example.org-1.")
    String name;

    @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "Where to write the secret key (mode 0600).")
    Path secretFile;

    @Option(names = "--public-file", required = true, paramLabel = "FILE", description = "Where to write the public key.")
    Path publicFile;

    @Override
    public Integer call() throws Exception {
      SecretKey key = SecretKey.generate(name);
      Files.deleteIfExists(secretFile);
      Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(secretFile, key.toString(), StandardOpenOption.TRUNCATE_EXISTING);
      Files.writeString(publicFile, key.toPublicKey().toString());
      System.out.println(key.toPublicKey());
      return 0;
    }
  }
}
