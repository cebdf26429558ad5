package io.ringcache.client;

import java.nio.charset.StandardCharsets;

/** The commands the client sends, each with its name pre-encoded as a RESP bulk string. */
enum CommandType {
  GET("GET"),
  SET("SET"),
  DEL("DEL"),
  EXISTS("EXISTS"),
  PEXPIRE("PEXPIRE"),
  PTTL("PTTL"),
  INCR("INCR"),
  INCRBY("INCRBY"),
  MGET("MGET"),
  MSET("MSET"),
  AUTH("AUTH"),
  PING("PING"),
  RING_TOPOLOGY("RING.TOPOLOGY");

  static final byte[] PX = bulk("PX");

  private final String wireName;
  private final byte[] encodedName;

  CommandType(String wireName) {
    this.wireName = wireName;
    this.encodedName = bulk(wireName);
  }

  /** The command as sent, for messages: {@code RING.TOPOLOGY}. */
  String wireName() {
    return wireName;
  }

  /** {@code $<length>\r\n<name>\r\n}. */
  byte[] encodedName() {
    return encodedName;
  }

  private static byte[] bulk(String text) {
    byte[] name = text.getBytes(StandardCharsets.US_ASCII);
    byte[] header = ("$" + name.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[header.length + name.length + 2];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(name, 0, out, header.length, name.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }
}
