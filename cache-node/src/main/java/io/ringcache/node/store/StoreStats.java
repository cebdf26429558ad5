package io.ringcache.node.store;

/** Store counters since start. */
public record StoreStats(long hits, long misses, long evictions, long expired) {}
