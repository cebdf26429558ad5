package io.ringcache.client;

import java.util.Collections;
import java.util.List;

/**
 * What a transaction's operations returned, in the order they were queued. A result is what the
 * operation's method of {@link CacheCommands} returns (a value or {@code null}, a {@link Boolean}, a
 * {@link Long}); an operation that failed when the node ran it (say {@code INCR} of a value that is
 * not an integer) holds its {@link CacheServerException} instead, and the others still ran, as in
 * Redis.
 */
public final class TransactionResult {

  private final List<Object> results;

  TransactionResult(List<Object> results) {
    this.results = Collections.unmodifiableList(results);
  }

  /** How many operations the transaction ran. */
  public int size() {
    return results.size();
  }

  /**
   * The result of operation {@code index} (0 for the first queued).
   *
   * @throws CacheServerException if that operation failed (the node's error)
   */
  @SuppressWarnings("unchecked")
  public <T> T get(int index) {
    Object result = results.get(index);
    if (result instanceof CacheServerException e) {
      throw e.forCaller();
    }
    return (T) result;
  }

  /** Whether operation {@code index} failed when the node ran it. */
  public boolean failed(int index) {
    return results.get(index) instanceof CacheServerException;
  }

  /** Every result, failures as their {@link CacheServerException}. */
  public List<Object> results() {
    return results;
  }

  @Override
  public String toString() {
    return "TransactionResult" + results;
  }
}
