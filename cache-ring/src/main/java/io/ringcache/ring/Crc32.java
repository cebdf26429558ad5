package io.ringcache.ring;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * CRC32 (IEEE 802.3, the polynomial of {@link java.util.zip.CRC32} and of nginx's {@code ngx_crc32}).
 *
 * <p>{@link #hash} uses the JDK's intrinsic (carry-less multiply); the {@code CRC32} it creates does
 * not escape, so the JIT scalar-replaces it and a call allocates nothing (Crc32Benchmark measured
 * 3.8 ns and ~0 B/op for 16 bytes, against 13 ns for a byte-at-a-time table). The running-state
 * methods ({@link #start}, {@link #update}, {@link #finish}) mirror nginx's {@code ngx_crc32_*} for
 * the ring's point chain, where a state is continued from a shared base.
 */
public final class Crc32 {

  private static final int[] TABLE = new int[256];

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      TABLE[n] = c;
    }
  }

  private Crc32() {}

  /** The CRC32 of all of {@code bytes}. */
  public static int hash(byte[] bytes) {
    return hash(bytes, 0, bytes.length);
  }

  /** The CRC32 of {@code length} bytes of {@code bytes} from {@code offset}. */
  public static int hash(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** The CRC32 of the remaining bytes of {@code buffer}; its position is left unchanged. */
  public static int hash(ByteBuffer buffer) {
    int position = buffer.position();
    CRC32 crc = new CRC32();
    crc.update(buffer);
    buffer.position(position);
    return (int) crc.getValue();
  }

  /** The initial running state, as nginx's {@code ngx_crc32_init}. */
  public static int start() {
    return 0xFFFFFFFF;
  }

  /** Continues a running state over {@code length} bytes, as nginx's {@code ngx_crc32_update}. */
  public static int update(int state, byte[] bytes, int offset, int length) {
    int crc = state;
    for (int i = offset, end = offset + length; i < end; i++) {
      crc = TABLE[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
    }
    return crc;
  }

  /** Continues a running state over one byte. */
  public static int update(int state, byte b) {
    return TABLE[(state ^ b) & 0xFF] ^ (state >>> 8);
  }

  /** Continues a running state over the four bytes of {@code value}, little-endian. */
  public static int updateIntLE(int state, int value) {
    int crc = update(state, (byte) value);
    crc = update(crc, (byte) (value >>> 8));
    crc = update(crc, (byte) (value >>> 16));
    return update(crc, (byte) (value >>> 24));
  }

  /** The final CRC of a running state, as nginx's {@code ngx_crc32_final}. */
  public static int finish(int state) {
    return ~state;
  }
}
