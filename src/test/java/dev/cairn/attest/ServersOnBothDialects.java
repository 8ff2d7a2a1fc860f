package dev.cairn.attest;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One real server per SQL dialect for a whole test class, and store path hashes unique within it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServersOnBothDialects {
  protected final Map<Dialect, AttestClient> clients = new EnumMap<>(Dialect.class);
  private int counter;

  @BeforeAll
  void startServers() throws Exception {
    for (Dialect d : Dialect.values()) {
      clients.put(d, new AttestClient(TestServer.start(d)));
    }
  }

  @AfterAll
  void stopServers() throws Exception {
    for (AttestClient c : clients.values()) {
      c.server.close();
    }
  }

  /** A fresh 32-character nixbase32 hash part, so tests do not see each other's data. */
  protected synchronized String hashPart() {
    counter++;
    StringBuilder b = new StringBuilder();
    for (char ch : String.format("%032d", counter).toCharArray()) {
      b.append("lmnpqrsvwx".charAt(ch - '0'));
    }
    return b.toString();
  }
}
