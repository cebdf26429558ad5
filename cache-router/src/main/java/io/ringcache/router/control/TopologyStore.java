package io.ringcache.router.control;

import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The router's copy of the topology, the one the cluster follows. Every change is persisted before
 * anyone else sees it: written to a temporary file, forced to disk, then renamed over
 * topology.json (atomic on POSIX) and the directory forced too (so that a power loss cannot undo
 * the rename), so a crash leaves either the old document or the new one. A
 * restarted router reads it back and resumes any handoff it lists.
 */

/** Holds the current topology and persists it atomically on every change. */
final class TopologyStore {

  private static final Logger log = LoggerFactory.getLogger(TopologyStore.class);
  static final String FILE_NAME = "topology.json";

  private final Path file;
  private volatile Topology current;
  /** In memory only: whether a write fails now (see {@link #inMemory(Topology, BooleanSupplier)}). */
  private final BooleanSupplier diskFull;

  private TopologyStore(Path file, Topology current, BooleanSupplier diskFull) {
    this.file = file;
    this.diskFull = diskFull;
    this.current = current;
  }

  /** The persisted topology in {@code dataDir}, if there is one. */
  static Optional<Topology> load(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(TopologyJson.read(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new io.ringcache.resp.net.StartFailure("cannot read " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new io.ringcache.resp.net.StartFailure(file + " is not a valid topology document (" + e.getMessage() + "); restore it"
          + " from a backup, or move it aside: a router without one adopts the topology its nodes hold", e);
    }
  }

  /** A store in {@code dataDir} starting from {@code initial}, which it persists at once. */
  static TopologyStore open(Path dataDir, Topology initial) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
    }
    TopologyStore store = new TopologyStore(dataDir.resolve(FILE_NAME), initial, () -> false);
    store.persist(initial);
    return store;
  }

  /** A store that keeps the topology in memory only (the simulation test; a restarted router there reuses it). */
  static TopologyStore inMemory(Topology initial) {
    return inMemory(initial, () -> false);
  }

  /**
   * As {@link #inMemory(Topology)}, with a write that fails as a full disk fails it (the change is
   * not made) while {@code diskFull} says so: the simulation's fault.
   */
  static TopologyStore inMemory(Topology initial, BooleanSupplier diskFull) {
    return new TopologyStore(null, initial, diskFull);
  }

  Topology current() {
    return current;
  }

  /**
   * Applies {@code change} to the current topology, persists the result and makes it current. A
   * change that returns the current topology itself changes nothing.
   */
  synchronized Topology update(UnaryOperator<Topology> change) {
    Topology next = change.apply(current);
    if (next == current) {
      return current;
    }
    if (next.epoch() <= current.epoch()) {
      throw new IllegalStateException("epoch must increase: " + current.epoch() + " -> " + next.epoch());
    }
    persist(next);
    current = next;
    log.info("topology epoch {}: {}", next.epoch(), Describe.topology(next));
    return next;
  }

  private void persist(Topology topology) {
    if (file == null) {
      if (diskFull.getAsBoolean()) {
        throw new UncheckedIOException(new IOException("cannot persist topology: No space left on device (simulated)"));
      }
      return;
    }
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(TopologyJson.writeBytes(topology));
        while (bytes.hasRemaining()) { // a write may take fewer bytes than it is given
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist topology to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Forces the directory entry of the rename to disk: the rename is atomic, but until its directory
   * is synced a power loss may undo it, leaving the topology before this change (whose epoch the
   * nodes may already have adopted). Where a directory cannot be opened (not POSIX), nothing is done.
   */
  private static void forceDirectory(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot open {} to sync it: {}", dir, e.toString());
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }
}
