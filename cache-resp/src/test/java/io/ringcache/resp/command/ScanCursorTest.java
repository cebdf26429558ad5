package io.ringcache.resp.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScanCursorTest {

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource(delimiter = '|', value = {
      "0 | 0", "'' | 0", "00 | 0", "+0 | 0", "-0 | 0", "007 | 7", "4294967295 | 4294967295",
      "4294967296 | 0", "4294967297 | 1", "-1 | 4294967295", "18446744073709551615 | 4294967295",
      "-18446744073709551615 | 1", "18446744073709551616 | -1", "-18446744073709551616 | -1",
      "' 1' | -1", "'1 ' | -1", "0x10 | -1", "+ | -1", "- | -1", "abc | -1", "99999999999999999999999 | -1"})
  void parse_asRedisStrtoul_thenTheLow32Bits(String arg, long expected) {
    assertThat(ScanCursor.parse(arg.getBytes(StandardCharsets.US_ASCII))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"1 | 1", "'' | 0"})
  void parse_stopsAtANul_asACString(String before, long expected) {
    byte[] b = (before + "\0x").getBytes(StandardCharsets.US_ASCII);
    assertThat(ScanCursor.parse(b)).isEqualTo(expected);
  }
}
