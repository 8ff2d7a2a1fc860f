package dev.cairn.castore.chunks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ChunkBuffersTest {
  @Test
  void takesArraysOfWholeStepsAndReusesOnesGivenBack() {
    ChunkBuffers buffers = new ChunkBuffers(1 << 20);
    byte[] a = buffers.take(ChunkBuffers.STEP + 5);
    assertEquals(2 * ChunkBuffers.STEP, a.length);
    buffers.give(a);
    assertEquals(a.length, buffers.retained());
    assertSame(a, buffers.take(2 * ChunkBuffers.STEP));
    assertEquals(0, buffers.retained());
    assertNotSame(a, buffers.take(2 * ChunkBuffers.STEP), "an array is handed out once");
  }

  @Test
  void keepsNoMoreThanItsBoundNorArraysOfOtherSizes() {
    ChunkBuffers buffers = new ChunkBuffers(3L * ChunkBuffers.STEP);
    buffers.give(new byte[2 * ChunkBuffers.STEP]);
    buffers.give(new byte[2 * ChunkBuffers.STEP]);
    assertEquals(2 * ChunkBuffers.STEP, buffers.retained());
    buffers.give(new byte[ChunkBuffers.STEP + 5]);
    buffers.give(new byte[2 * ChunkBuffers.MAX_POOLED]);
    assertEquals(2 * ChunkBuffers.STEP, buffers.retained());
    assertEquals(2 * ChunkBuffers.MAX_POOLED, buffers.take(2 * ChunkBuffers.MAX_POOLED).length);
  }

  @Test
  void noneHandsOutExactArraysAndKeepsNothing() {
    assertEquals(70_000, ChunkBuffers.NONE.take(70_000).length);
    ChunkBuffers.NONE.give(new byte[ChunkBuffers.STEP]);
    assertEquals(0, ChunkBuffers.NONE.retained());
  }
}
