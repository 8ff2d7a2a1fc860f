package dev.cairn.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.tukaani.xz.MemoryLimitException;

/**
 * A pull decoder (the xz, bzip2, gzip and brotli libraries read an {@link InputStream}) made
 * push-shaped without a thread of its own: bytes written are kept in a lookahead buffer, and the
 * decoder is asked for output only while at least {@link #LOOKAHEAD} unread bytes are buffered,
 * or once the input has ended ({@link #close}). So a read never waits for input that has not
 * arrived: every step runs to completion on the caller's thread (the NAR pool, in arrival
 * order), and an upload holds no thread between its pieces.
 *
 * <p>The lookahead bounds how much input one step may need. One step asks for at most
 * {@link #STEP} decoded bytes; what the encoders Nix uses write needs far less input for that
 * than the lookahead: an LZMA2 chunk is at most 64 KiB compressed, a bzip2 block about 2.3 MB at
 * worst, a deflate or brotli decoder reads 16–64 KiB at a time. A stream that would need more
 * (say thousands of empty xz blocks in a row) is refused as corrupt instead of waiting: the
 * {@link Feed} throws {@link Underflow} when it runs dry before the input ended, and the
 * decoder's state is not used again.
 *
 * <p>Memory per upload: the lookahead (grown as needed, up to {@link #LOOKAHEAD} + a write) plus
 * the decoder's own state, which {@link Compression} bounds (an xz dictionary by a memory limit;
 * bzip2, deflate and brotli windows are bounded by their formats).
 */
final class LookaheadDecoder extends OutputStream {
  static final int LOOKAHEAD = 4 << 20;
  static final int STEP = 64 << 10;

  /** Opens the library's decoder on the compressed input (which may read headers at once). */
  interface Opener {
    InputStream open(InputStream compressed) throws IOException;
  }

  private final String name;
  private final OutputStream target;
  private final Opener opener;
  private final Feed feed = new Feed();
  private final byte[] out = new byte[STEP];
  private InputStream decoder;
  private boolean finished;
  private boolean closed;

  LookaheadDecoder(String name, OutputStream target, Opener opener) {
    this.name = name;
    this.target = target;
    this.opener = opener;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(name + " decoder is closed");
    }
    while (len > 0) {
      if (finished) {
        throw new CorruptStreamException("nar: data after the end of the " + name + " stream");
      }
      int n = Math.min(len, LOOKAHEAD + STEP - feed.unread());
      feed.append(b, off, n);
      off += n;
      len -= n;
      decode();
    }
  }

  /** Decodes while the lookahead holds enough input (or all of it, once ended). */
  private void decode() throws IOException {
    while (!finished && (feed.ended || feed.unread() >= LOOKAHEAD)) {
      int n;
      try {
        if (decoder == null) {
          decoder = opener.open(feed);
        }
        n = decoder.read(out, 0, out.length);
      } catch (IOException | RuntimeException e) {
        throw refusal(e);
      }
      if (n < 0) {
        finished = true;
      } else {
        target.write(out, 0, n);
      }
    }
  }

  private CorruptStreamException refusal(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CorruptStreamException known) {
        return known;
      }
      if (c instanceof Underflow) {
        return new CorruptStreamException("nar: the " + name + " stream needs more than " + (LOOKAHEAD >> 20)
            + " MiB of input before its next output (no encoder writes that)");
      }
      if (c instanceof MemoryLimitException m) {
        return new CorruptStreamException("nar: the " + name + " stream needs " + (m.getMemoryNeeded() >> 10)
            + " MiB of memory to decode, more than the limit of " + (m.getMemoryLimit() >> 10) + " MiB");
      }
    }
    if (feed.ended && feed.unread() == 0) {
      return new CorruptStreamException("nar: the " + name + " stream is truncated (" + e.getMessage() + ")");
    }
    return new CorruptStreamException("nar: not valid " + name + ": " + e.getMessage());
  }

  /** Ends the input: decodes the rest, failing on a truncated stream; leaves the target open. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    feed.ended = true;
    try {
      decode();
      if (!finished) {
        throw new CorruptStreamException("nar: the " + name + " stream is truncated");
      }
      if (feed.unread() > 0) {
        throw new CorruptStreamException("nar: data after the end of the " + name + " stream");
      }
    } finally {
      closed = true;
      feed.buffer = null;
    }
  }

  /** The decoder ran out of buffered input before the input ended. */
  private static final class Underflow extends IOException {
    Underflow() {
      super("input not yet arrived");
    }
  }

  /** The compressed input the decoder pulls: what has been written and not yet read. */
  private static final class Feed extends InputStream {
    private byte[] buffer = new byte[STEP];
    private int start;
    private int end;
    private boolean ended;

    int unread() {
      return end - start;
    }

    void append(byte[] b, int off, int len) {
      if (buffer.length - end < len) {
        int unread = unread();
        byte[] to = unread + len <= buffer.length ? buffer : new byte[Math.max(unread + len, Math.min(buffer.length * 2, LOOKAHEAD + STEP))];
        System.arraycopy(buffer, start, to, 0, unread);
        buffer = to;
        start = 0;
        end = unread;
      }
      System.arraycopy(b, off, buffer, end, len);
      end += len;
    }

    @Override
    public int read() throws IOException {
      if (unread() == 0) {
        return endOfInput();
      }
      return buffer[start++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (unread() == 0) {
        return endOfInput();
      }
      int n = Math.min(len, unread());
      System.arraycopy(buffer, start, b, off, n);
      start += n;
      return n;
    }

    @Override
    public int available() {
      return unread();
    }

    private int endOfInput() throws Underflow {
      if (ended) {
        return -1;
      }
      throw new Underflow();
    }
  }
}
