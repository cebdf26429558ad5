package io.ringcache.client;

import io.ringcache.resp.Resp;
import io.ringcache.resp.command.CommandCatalogue;
import java.nio.charset.StandardCharsets;

/**
 * The commands the client sends, each with its name pre-encoded as a RESP bulk string; what each
 * command is (whether it writes) is the command catalogue's ({@link CommandCatalogue}).
 */
enum CommandType {
  GET("GET"),
  SET("SET"),
  DEL("DEL"),
  EXISTS("EXISTS"),
  PEXPIRE("PEXPIRE"),
  PTTL("PTTL"),
  INCR("INCR"),
  INCRBY("INCRBY"),
  DECRBY("DECRBY"),
  GETDEL("GETDEL"),
  PERSIST("PERSIST"),
  MGET("MGET"),
  MSET("MSET"),
  AUTH("AUTH"),
  PING("PING"),
  SCAN("SCAN"),
  RING_EPOCH("RING.EPOCH"),
  RING_TOPOLOGY("RING.TOPOLOGY"),
  /** A transaction: {@code MULTI}, the queued commands and {@code EXEC}, written together (Request#transaction). */
  MULTI_EXEC("EXEC");

  static final byte[] MULTI_COMMAND = Resp.toBytes(b -> Resp.command(b, "MULTI"));
  static final byte[] EXEC_COMMAND = Resp.toBytes(b -> Resp.command(b, "EXEC"));

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

  CommandType(String wireName) {
    CommandCatalogue.Command command = CommandCatalogue.get(wireName);
    this.wireName = wireName;
    this.encodedName = bulk(wireName);
    this.readOnly = !command.has(CommandCatalogue.Flag.WRITE) && !command.has(CommandCatalogue.Flag.ADMIN);
  }

  /**
   * Whether running it twice is the same as once: it may be sent again after its connection was lost.
   * From the catalogue: neither a write nor a change of the connection's state (AUTH, EXEC).
   */
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
    return Resp.toBytes(b -> Resp.bulk(b, text.getBytes(StandardCharsets.US_ASCII)));
  }
}
