package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32Test {

  @Test
  void hash_equalsJdkCrc32_forEveryLength() {
    Random random = new Random(1);
    for (int length = 0; length < 600; length++) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      assertThat(Crc32.hash(bytes)).as("length %s", length).isEqualTo(jdk(bytes));
    }
  }

  @Test
  void update_equalsJdkCrc32_forEveryLength() {
    Random random = new Random(2);
    for (int length = 0; length < 600; length++) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      assertThat(Crc32.finish(Crc32.update(Crc32.start(), bytes, 0, length))).isEqualTo(jdk(bytes));
    }
  }

  @Test
  void hash_ofDirectByteBuffer_leavesItsPositionAlone() {
    byte[] bytes = "key:123456".getBytes(StandardCharsets.US_ASCII);
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(32);
    buffer.put(bytes).flip();
    assertThat(Crc32.hash(buffer)).isEqualTo(jdk(bytes));
    assertThat(buffer.position()).isZero();
  }

  @Test
  void hash_ofEmptyInput_isZero() {
    assertThat(Crc32.hash(new byte[0])).isZero();
  }

  @Test
  void hash_ofKnownString_isTheStandardCheckValue() {
    assertThat(Integer.toUnsignedLong(Crc32.hash("123456789".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(0xCBF43926L);
  }

  @Test
  void update_inPieces_equalsHashOfTheWhole() {
    byte[] bytes = "host\0port-and-more".getBytes(StandardCharsets.US_ASCII);
    int state = Crc32.start();
    state = Crc32.update(state, bytes, 0, 4);
    state = Crc32.update(state, bytes[4]);
    state = Crc32.update(state, bytes, 5, bytes.length - 5);
    assertThat(Crc32.finish(state)).isEqualTo(jdk(bytes));
  }

  @Test
  void updateIntLE_equalsFourLittleEndianBytes() {
    int value = 0x12345678;
    byte[] le = {0x78, 0x56, 0x34, 0x12};
    assertThat(Crc32.finish(Crc32.updateIntLE(Crc32.start(), value))).isEqualTo(jdk(le));
  }

  @Test
  void hash_withOffset_hashesOnlyTheSlice() {
    byte[] bytes = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
    assertThat(Crc32.hash(bytes, 2, 3)).isEqualTo(jdk("abc".getBytes(StandardCharsets.US_ASCII)));
  }

  private static int jdk(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
