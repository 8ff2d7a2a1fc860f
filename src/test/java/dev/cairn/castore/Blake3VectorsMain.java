package dev.cairn.castore;

import java.util.HexFormat;
import java.util.Map;

/**
 * Prints which BLAKE3 hasher this JVM picked and checks it (serial and parallel, one update
 * and 1 KiB + 1 updates) against the official vectors; exit status 1 on a mismatch. Run by
 * {@link Blake3Test} in JVMs with other flags than the test JVM's.
 */
public final class Blake3VectorsMain {
  private Blake3VectorsMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println("hasher: " + Blake3.implementation());
    int ok = 0;
    for (Map.Entry<Integer, String> v : Blake3Test.officialVectors().entrySet()) {
      byte[] data = new byte[v.getKey()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i % 251);
      }
      boolean good = true;
      for (boolean parallel : new boolean[] {false, true}) {
        good &= v.getValue().equals(HexFormat.of().formatHex(new Blake3(parallel, Blake3Lanes.DETECTED.lanes()).update(data).digest()));
        Blake3 h = new Blake3(parallel, Blake3Lanes.DETECTED.lanes());
        for (int off = 0; off < data.length; off += 1025) {
          h.update(data, off, Math.min(1025, data.length - off));
        }
        good &= v.getValue().equals(HexFormat.of().formatHex(h.digest()));
      }
      if (good) {
        ok++;
      } else {
        System.out.println("MISMATCH at length " + v.getKey());
      }
    }
    System.out.println("official vectors: " + ok + " ok");
    System.exit(ok == 22 ? 0 : 1);
  }
}
