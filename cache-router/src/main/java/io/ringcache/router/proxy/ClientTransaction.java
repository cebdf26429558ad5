package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import io.ringcache.resp.Redirect;
import io.ringcache.resp.Request;
import io.ringcache.resp.command.Handshake;
import io.ringcache.resp.Resp;
import io.ringcache.resp.Resp3;
import io.ringcache.ring.RoutingTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * A proxy client's MULTI/EXEC and WATCH, served over a connection of its own to the one node that
 * owns every key of the transaction (TransactionLink): the shared Backend connections multiplex
 * many clients, and a node keeps transaction state per connection.
 *
 *  - WATCH key...: the keys must share an owner (and the owner of anything watched or queued
 *    before), else -CROSSNODE; the link to that owner is opened and WATCH sent at once; the node's
 *    reply is the client's (a -MOVED becomes -TRYAGAIN: the proxy hides node addresses).
 *  - MULTI: answered here; the commands that follow are checked here as Redis checks them before
 *    queuing (known, arity, allowed in a transaction through the proxy, keys on the transaction's
 *    node) and kept, +QUEUED; a refused one flags the transaction, whose EXEC answers -EXECABORT.
 *  - EXEC: MULTI, the queued commands and EXEC go to the owner as one batch on the link; the
 *    client gets EXEC's reply (the array, *-1 when a watched key changed, -TRYAGAIN when the node
 *    no longer serves a key). If the node refused a queued command because a key moved (-MOVED,
 *    -TRYAGAIN), its EXECABORT becomes -TRYAGAIN. Never retried: a transaction is the
 *    application's to run again.
 *  - EXEC, DISCARD and UNWATCH close the link (the node then forgets the watches).
 *
 * Order: a request sent on the link waits until the client's requests out at nodes are answered,
 * and the client's later requests wait until the link answers (ClientHandler), so a pipeline such
 * as SET k, WATCH k, ..., EXEC, GET k reaches the node in the order it was sent.
 */

/** The transaction state of one proxy client. Confined to its event loop. */
final class ClientTransaction {

  static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
  private static final String MOVED_AWAY =
      "TRYAGAIN keys of this transaction moved to another node; nothing was run, retry";
  private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int OVERHEAD_PER_ARG = 16;

  private final ClientHandler client;
  private boolean multi;
  private boolean aborted;
  private final List<byte[][]> queued = new ArrayList<>();
  private long queuedBytes;
  /** The node (name) that owns every key watched or queued so far, null if none yet, and the epoch that said so. */
  private String node;
  private long nodeEpoch;
  /** Whether the node answered +OK to a WATCH on the link. */
  private boolean watching;
  private TransactionLink link;
  /** The link an EXEC was sent on, until it answers. */
  private TransactionLink execLink;

  ClientTransaction(ClientHandler client) {
    this.client = client;
  }

  boolean multi() {
    return multi;
  }

  /** A request refused before it was looked at further (unknown, arity, NOAUTH): inside MULTI, EXEC aborts. */
  void flagError() {
    if (multi) {
      aborted = true;
    }
  }

  /**
   * Serves a transaction command, or, inside MULTI, queues the request.
   *
   * @return false if the request must wait until the client's requests out at nodes are answered
   */
  boolean execute(ProxyCommands.Spec spec, byte[][] args, RoutingTable table) {
    switch (spec.name()) {
      case "multi" -> {
        if (multi) {
          client.localError("ERR MULTI calls can not be nested");
        } else {
          multi = true;
          client.localReply(Resp.OK);
        }
        return true;
      }
      case "exec" -> {
        return exec(table);
      }
      case "discard" -> {
        if (!multi) {
          client.localError("ERR DISCARD without MULTI");
        } else {
          reset();
          client.localReply(Resp.OK);
        }
        return true;
      }
      case "watch" -> {
        if (multi) {
          client.localError("ERR WATCH inside MULTI is not allowed");
          return true;
        }
        return watch(args, table);
      }
      case "unwatch" -> {
        if (!multi) {
          reset();
          client.localReply(Resp.OK);
          return true;
        }
      }
      default -> {}
    }
    queue(spec, args, table);
    return true;
  }

  private void queue(ProxyCommands.Spec spec, byte[][] args, RoutingTable table) {
    String refused = refusal(spec, args, table);
    if (refused != null) {
      aborted = true;
      client.localError(refused);
      return;
    }
    long bytes = 0;
    for (byte[] a : args) {
      bytes += a.length + OVERHEAD_PER_ARG;
    }
    long max = client.maxQueryBuffer();
    if (queuedBytes + bytes > max) {
      aborted = true;
      client.localError("ERR transaction too large: " + (queuedBytes + bytes) + " bytes queued (expected: <= " + max
          + ", proxy max-query-buffer)");
      return;
    }
    queuedBytes += bytes;
    queued.add(args);
    client.transactionHolds(queuedBytes);
    client.localReply(QUEUED);
  }

  /** Why a request cannot be queued (the error to answer), or null if it can. */
  private String refusal(ProxyCommands.Spec spec, byte[][] args, RoutingTable table) {
    switch (spec.kind()) {
      case KEYED, MGET, MSET, SUM -> {
        // MSET and MSETNX with a key missing its value pass Redis's arity check (-3) and are queued:
        // their error comes inside EXEC's array, from the node, as Redis's comes from the command
        int last = spec.lastKey() < 0 ? args.length + spec.lastKey() : spec.lastKey();
        byte[][] keys = new byte[(last - spec.firstKey()) / spec.step() + 1][];
        for (int i = spec.firstKey(), k = 0; i <= last; i += spec.step()) {
          keys[k++] = args[i];
        }
        return claim(keys, table);
      }
      case LOCAL -> {
        return switch (spec.name()) {
          case "ping", "echo", "time", "select" -> null;
          // queued after Redis's check of the subcommand; the node answers FLUSH inside EXEC's array
          case "function" -> Handshake.subcommandRefusal(ProxyCommands.HANDSHAKE, Request.of(args));
          default -> notInTransaction(spec);
        };
      }
      case TRANSACTION -> {
        return null; // UNWATCH: the node answers +OK inside EXEC's array
      }
      case UNSUPPORTED -> {
        return "ERR command '" + spec.name() + "' is not supported by the proxy: " + spec.why();
      }
      default -> {
        return notInTransaction(spec);
      }
    }
  }

  private static String notInTransaction(ProxyCommands.Spec spec) {
    return "ERR command '" + spec.name() + "' is not supported inside a transaction by the proxy: "
        + "a transaction runs on one node";
  }

  /**
   * Makes the owner of {@code keys} the transaction's node; returns the error to answer if they
   * have different owners, or another owner than the keys watched or queued before (-CROSSNODE, or
   * -TRYAGAIN if the topology changed since those: the keys moved).
   */
  private String claim(byte[][] keys, RoutingTable table) {
    String owner;
    try {
      owner = table.serverOf(keys[0]);
      for (int i = 1; i < keys.length; i++) {
        if (!owner.equals(table.serverOf(keys[i]))) {
          return "CROSSNODE keys in request are owned by different nodes";
        }
      }
    } catch (IllegalStateException e) {
      return "ERR proxy: no node in the ring";
    }
    if (node == null) {
      node = owner;
      nodeEpoch = table.epoch();
      return null;
    }
    if (node.equals(owner)) {
      return null;
    }
    return table.epoch() != nodeEpoch ? MOVED_AWAY : "CROSSNODE keys in request are owned by different nodes";
  }

  private boolean watch(byte[][] args, RoutingTable table) {
    if (client.routedOut() > 0) {
      return false;
    }
    byte[][] keys = new byte[args.length - 1][];
    System.arraycopy(args, 1, keys, 0, keys.length);
    String previous = node;
    long previousEpoch = nodeEpoch;
    String refused = claim(keys, table);
    if (refused != null) {
      client.localError(refused);
      return true;
    }
    Pending p = client.enqueueTransaction("watch");
    linkTo(table).send(new byte[][][] {args}, new TransactionLink.Replies() {
      @Override
      public void replied(List<ByteBuf> frames) {
        ByteBuf reply = frames.get(0);
        if (RawReply.type(reply) == '+') {
          watching = true;
          client.transactionReplied(p, copy(reply));
          return;
        }
        if (!watching) { // nothing watched on the link: forget it
          node = previous;
          nodeEpoch = previousEpoch;
          if (queued.isEmpty() && node == null) {
            closeLink();
          }
        }
        client.transactionReplied(p, isMoved(reply) ? error(MOVED_AWAY) : copy(reply));
      }

      @Override
      public void failed(String why, boolean sent) {
        linkFailed();
        client.transactionReplied(p, error("ERR proxy: the connection to the transaction's node failed: " + why));
      }
    });
    return true;
  }

  private boolean exec(RoutingTable table) {
    if (!multi) {
      client.localError("ERR EXEC without MULTI");
      return true;
    }
    if (aborted) {
      reset();
      client.localError(EXECABORT);
      return true;
    }
    if (client.routedOut() > 0) {
      return false;
    }
    if (node == null) { // no key at all (MULTI PING EXEC): any node runs it
      try {
        node = table.serverOf(new byte[0]);
      } catch (IllegalStateException e) {
        reset();
        client.localError("ERR proxy: no node in the ring");
        return true;
      }
    }
    byte[][][] batch = new byte[queued.size() + 2][][];
    batch[0] = new byte[][] {Resp.ascii("MULTI")};
    for (int i = 0; i < queued.size(); i++) {
      batch[i + 1] = queued.get(i);
    }
    batch[batch.length - 1] = new byte[][] {Resp.ascii("EXEC")};
    // a RESP3 client: each element of EXEC's array in the shape of the command queued at its place (the
    // link speaks RESP2), as a node converts each queued command's reply (LCS ... IDX is a map)
    List<Resp3.Shape> shapes = null;
    if (client.resp3()) {
      shapes = new ArrayList<>(queued.size());
      for (byte[][] q : queued) {
        shapes.add(Resp3.shape(q[0], q.length > 1 ? q[1] : null));
      }
    }
    List<Resp3.Shape> execShapes = shapes;
    TransactionLink sendOn = linkTo(table);
    link = null; // EXEC ends the transaction: the link closes once it answered
    execLink = sendOn;
    multi = false;
    aborted = false;
    queued.clear();
    queuedBytes = 0; // still counted as the client's (transactionHolds) until EXEC answers: the link
    // holds the batch while its node does not read it, and a closed client closes the link
    node = null;
    watching = false;
    Pending p = client.enqueueTransaction("exec");
    if (execShapes != null) {
      p.shape = null; // converted below, element by element
    }
    sendOn.send(batch, new TransactionLink.Replies() {
      @Override
      public void replied(List<ByteBuf> frames) {
        sendOn.close();
        execLink = null;
        client.transactionHolds(0);
        ByteBuf multiReply = frames.get(0);
        ByteBuf execReply = frames.get(frames.size() - 1);
        if (RawReply.type(multiReply) != '+') {
          client.transactionReplied(p, copy(multiReply));
          return;
        }
        if (RawReply.type(execReply) == '-' && RawReply.text(execReply).startsWith("EXECABORT")) {
          for (int i = 1; i < frames.size() - 1; i++) {
            if (isMovedOrTryAgain(frames.get(i))) {
              client.transactionReplied(p, error(MOVED_AWAY));
              return;
            }
          }
        }
        ByteBuf reply = copy(execReply);
        client.transactionReplied(p, execShapes == null ? reply : Resp3.convertExec(reply, execShapes, reply.alloc()));
      }

      @Override
      public void failed(String why, boolean sent) {
        execLink = null;
        client.transactionHolds(0);
        client.transactionReplied(p, error(sent
            ? "ERR proxy: the connection to the transaction's node closed before EXEC answered (" + why
                + "): it may or may not have run"
            : "TRYAGAIN proxy: cannot reach the transaction's node (" + why + "); nothing was run, retry"));
      }
    });
    return true;
  }

  private TransactionLink linkTo(RoutingTable table) {
    String address = table.addressOf(node);
    if (link != null && !link.address.equals(address)) {
      closeLink();
    }
    if (link == null) {
      link = new TransactionLink(client.dispatcher(), address);
    }
    return link;
  }

  private void linkFailed() {
    link = null;
    watching = false;
    if (queued.isEmpty()) {
      node = null;
    }
  }

  private void closeLink() {
    if (link != null) {
      link.close();
      link = null;
    }
  }

  /** DISCARD, UNWATCH outside MULTI, a closed client: forgets everything and closes the link. */
  void reset() {
    if (execLink != null) {
      execLink.close(); // a closed client's EXEC: its batch is not held for a node that does not read
      execLink = null;
    }
    multi = false;
    aborted = false;
    queued.clear();
    queuedBytes = 0;
    client.transactionHolds(0);
    node = null;
    watching = false;
    closeLink();
  }

  private static boolean isMoved(ByteBuf frame) {
    return redirectKind(frame) == Redirect.Kind.MOVED;
  }

  private static boolean isMovedOrTryAgain(ByteBuf frame) {
    Redirect.Kind kind = redirectKind(frame);
    return kind == Redirect.Kind.MOVED || kind == Redirect.Kind.TRYAGAIN;
  }

  /** Which redirect an error reply is, by its first word; null for anything else. */
  private static Redirect.Kind redirectKind(ByteBuf frame) {
    return RawReply.type(frame) == '-' ? Redirect.kindOf(RawReply.text(frame)) : null;
  }

  private ByteBuf copy(ByteBuf frame) {
    return client.alloc().buffer(frame.readableBytes()).writeBytes(frame, frame.readerIndex(), frame.readableBytes());
  }

  private ByteBuf error(String text) {
    ByteBuf b = client.alloc().buffer();
    Resp.error(b, text);
    return b;
  }
}
