package io.ringcache.client;

import java.nio.charset.StandardCharsets;

/** The commands the client sends, each with its name pre-encoded as a RESP bulk string. */
enum CommandType {
  GET("GET", true),
  SET("SET", false),
  DEL("DEL", false),
  EXISTS("EXISTS", true),
  PEXPIRE("PEXPIRE", false),
  PTTL("PTTL", true),
  INCR("INCR", false),
  INCRBY("INCRBY", false),
  DECRBY("DECRBY", false),
  GETDEL("GETDEL", false),
  PERSIST("PERSIST", false),
  MGET("MGET", true),
  MSET("MSET", false),
  AUTH("AUTH", false),
  PING("PING", true),
  SCAN("SCAN", true),
  RING_EPOCH("RING.EPOCH", true),
  RING_TOPOLOGY("RING.TOPOLOGY", true),
  /** A transaction: {@code MULTI}, the queued commands and {@code EXEC}, written together (Request#transaction). */
  MULTI_EXEC("EXEC", false);

  static final byte[] MULTI_COMMAND = "*1\r\n$5\r\nMULTI\r\n".getBytes(StandardCharsets.US_ASCII);
  static final byte[] EXEC_COMMAND = "*1\r\n$4\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII);

  static final byte[] PX = bulk("PX");

  /** SET's options, as arguments. */
  static final byte[] NX = "NX".getBytes(StandardCharsets.US_ASCII);
  static final byte[] XX = "XX".getBytes(StandardCharsets.US_ASCII);
  static final byte[] GET_OPTION = "GET".getBytes(StandardCharsets.US_ASCII);
  static final byte[] KEEPTTL = "KEEPTTL".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PX_OPTION = "PX".getBytes(StandardCharsets.US_ASCII);

  /** SCAN's options, as arguments. */
  static final byte[] MATCH = "MATCH".getBytes(StandardCharsets.US_ASCII);
  static final byte[] COUNT = "COUNT".getBytes(StandardCharsets.US_ASCII);

  private final String wireName;
  private final byte[] encodedName;
  private final boolean readOnly;

  CommandType(String wireName, boolean readOnly) {
    this.wireName = wireName;
    this.encodedName = bulk(wireName);
    this.readOnly = readOnly;
  }

  /** Whether running it twice is the same as once: it may be sent again after its connection was lost. */
  boolean readOnly() {
    return readOnly;
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
