package dev.cairn.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP proxy in front of a server that cuts the first NAR download short: once a
 * connection has asked for {@code GET /nar/…}, it forwards {@code cutAfter} bytes of the answer
 * and closes both sides, as a dropped network link would. Later downloads pass. It records every
 * Range header clients send, so a test can see how a client resumed.
 */
final class CuttingProxy implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("(?i)\r\nRange: *([^\r\n]*)");

  private final ServerSocket listener;
  private final int target;
  private final long cutAfter;
  private final AtomicBoolean cut = new AtomicBoolean();
  private final List<String> ranges = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  CuttingProxy(int target, long cutAfter) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.cutAfter = cutAfter;
    Thread accept = new Thread(this::accept, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  boolean didCut() {
    return cut.get();
  }

  List<String> ranges() {
    return List.copyOf(ranges);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(server);
        AtomicBoolean narAsked = new AtomicBoolean();
        start(() -> requests(client, server, narAsked));
        start(() -> answers(server, client, narAsked));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void requests(Socket client, Socket server, AtomicBoolean narAsked) {
    try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
      byte[] buf = new byte[16384];
      for (int n; (n = in.read(buf)) > 0; ) {
        String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        if (text.contains("GET /nar/")) {
          narAsked.set(true);
        }
        Matcher m = RANGE.matcher(text);
        while (m.find()) {
          ranges.add(m.group(1).strip());
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the other pump closed the connection
    }
    closeQuietly(client, server);
  }

  private void answers(Socket server, Socket client, AtomicBoolean narAsked) {
    long sinceNar = 0;
    try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
      byte[] buf = new byte[16384];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (narAsked.get() && !cut.get()) {
          if (sinceNar + n >= cutAfter && cut.compareAndSet(false, true)) {
            out.write(buf, 0, (int) (cutAfter - sinceNar));
            out.flush();
            break;
          }
          sinceNar += n;
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the client went away
    }
    closeQuietly(client, server);
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(CuttingProxy::closeQuietly);
  }
}
