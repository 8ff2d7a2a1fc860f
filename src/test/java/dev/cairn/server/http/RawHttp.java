package dev.cairn.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A TCP connection that writes exactly the bytes a test gives it (half-sent requests,
 * conflicting headers, a byte at a time), as a hostile client would.
 */
final class RawHttp implements AutoCloseable {
  final Socket socket;
  private final InputStream in;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  RawHttp send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** A parsed response: status line, headers (lower-case names), body. */
  record Response(int status, String head, String body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** Reads one response (Content-Length or chunked body; none for HEAD or 1xx). */
  Response read(boolean head) throws IOException {
    String headText = readUntil("\r\n\r\n");
    int status = Integer.parseInt(headText.substring(9, 12));
    Response r = new Response(status, headText, "");
    if (head || status < 200 || status == 204 || status == 304) {
      return r;
    }
    String length = r.header("Content-Length");
    if (length != null) {
      return new Response(status, headText, new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8));
    }
    if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(readUntil("\r\n").strip(), 16);
        body.write(in.readNBytes(size));
        readUntil("\r\n");
        if (size == 0) {
          break;
        }
      }
      return new Response(status, headText, body.toString(StandardCharsets.UTF_8));
    }
    return new Response(status, headText, new String(in.readAllBytes(), StandardCharsets.UTF_8));
  }

  Response read() throws IOException {
    return read(false);
  }

  /** True when the server closed the connection within the socket timeout (reads end of stream or a reset). */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private String readUntil(String end) throws IOException {
    StringBuilder b = new StringBuilder();
    while (!b.toString().endsWith(end)) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after " + b.length() + " bytes: " + b);
      }
      b.append((char) c);
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
