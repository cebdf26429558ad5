package io.ringcache.node.store;

/** Store counters since start: entries removed by the memory bound and by expiry. */
public record StoreStats(long evictions, long expired) {}
