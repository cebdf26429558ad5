package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * LongDouble against answers Debian's redis-server 7.0 (x86-64) gave to INCRBYFLOAT; RedisParityIT
 * compares with a running redis-server, this runs without one.
 */
class LongDoubleTest {

  private static LongDouble parse(String text) {
    return LongDouble.parse(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** {@code start} incremented by each of {@code increments} in turn, formatted as INCRBYFLOAT replies. */
  private static String sum(String start, String... increments) {
    LongDouble value = parse(start);
    for (String increment : increments) {
      value = value.add(parse(increment));
    }
    return value.format();
  }

  @Test
  void add_formatsAsRedisDoes_withLongDoublePrecision() {
    assertThat(sum("10.50", "10.5")).isEqualTo("21");
    assertThat(sum("10.50", "10.5", "3.0e3")).isEqualTo("3021");
    assertThat(sum("10.50", "10.5", "3.0e3", "5.0e-1")).isEqualTo("3021.5");
    assertThat(sum("1", "0.1", "0.2")).isEqualTo("1.3");
    assertThat(sum("0", "0.1", "0.2")).isEqualTo("0.3");
    assertThat(sum("114.8", "1e17")).isEqualTo("100000000000000114.796875");
    assertThat(sum("114.8", "1e17", "-123.456e-2")).isEqualTo("100000000000000113.5625");
    assertThat(sum("0", "0x1p3", "0x.8")).isEqualTo("8.5");
    assertThat(sum("5", "1.0", "-6")).isEqualTo("0");
    assertThat(sum("0", "123456789012345678", "0.000001")).isEqualTo("123456789012345678");
  }

  @Test
  void format_roundsHalfEvenAt17Places_andPrintsNegativeZeroAsZero() {
    assertThat(sum("0", "0.000003814697265625")).isEqualTo("0.00000381469726562");
    assertThat(sum("0", "0.000003814697265625", "0.000003814697265625")).isEqualTo("0.00000762939453125");
    assertThat(sum("0", "-0.000000000000000002")).isEqualTo("0");
    assertThat(sum("-0", "-0")).isEqualTo("0");
  }

  @Test
  void add_1e400_printsItsExactExpansion() {
    assertThat(sum("10", "1e400")).isEqualTo("10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848"
        + "32416052209405392731761620029582277725925573402382897659334066101779744743454617391786244811667497172377894382439159333"
        + "80474706750262466844013592375136038303437354855052449559649790218250382800910684149474024568986530409510175126580926158"
        + "27588920183472511643316591362664138176309734806343732497430221946880");
  }

  @Test
  void parse_refusesWhatString2ldRefuses() {
    for (String bad : new String[] {"", "abc", " 1", "1 ", "nan", "-nan", "1e", "1e+", ".", "0x", "1e5000", "1e-5000", "\0",
        "1\0", "1" + "0".repeat(5200), "infinit"}) {
      assertThat(parse(bad)).as("'%s'", bad).isNull();
    }
    for (String good : new String[] {"inf", "-Infinity", "4e-4951", "0x1p-16445", "1.", ".5", "+.5", "-0", "0X1P+2", "1E2",
        "1.18973149535723176502e+4932"}) {
      assertThat(parse(good)).as("'%s'", good).isNotNull();
    }
  }

  @Test
  void add_overflowOrInfinity_isInfinite() {
    assertThat(parse("1e4932").add(parse("1.1e4932")).isInfinite()).isTrue();
    assertThat(parse("1").add(parse("inf")).isInfinite()).isTrue();
    assertThat(parse("inf").add(parse("-inf")).isInfinite()).isTrue(); // NaN: refused the same way
    assertThat(parse("1e4932").add(parse("-1e4932")).format()).isEqualTo("0");
  }
}
