/**
 * The node's store: a memory-bounded, concurrent map from binary keys to binary values with
 * per-entry time to live, eviction, and iteration by ring range for handoffs and SCAN.
 *
 * <ul>
 *   <li>{@link Store}: the contract that the commands and the handoff steps use; safe for
 *       concurrent use by every worker loop, and no method blocks. {@link Stores} makes one of the
 *       three implementations, which are package-private:
 *   <li>{@code PackedStore} (the default, {@code --store packed}): one {@code byte[]} per entry in
 *       lock-striped open-addressing tables, optimistic reads, CLOCK eviction. Its design note
 *       covers layout, locking, memory accounting and range walks.
 *   <li>{@code CaffeineStore} ({@code --store caffeine}): a Caffeine cache, W-TinyLFU eviction and
 *       the timer wheel for TTLs.
 *   <li>{@code OffHeapStore} ({@code --store offheap}): entries in slab pages of direct memory (size
 *       classes, no Java object per entry), an {@code int[]} index per segment, CLOCK eviction that
 *       moves pages between classes. Its design note covers layout, accounting and fragmentation.
 *   <li>{@code ClockStore}: the frame the two CLOCK stores share (segments of open-addressing
 *       tables, home slots and backward-shift deletion, the expiry sweep, putIfAbsentUntil); the
 *       per-command paths stay in the final stores.
 *   <li>{@code ScanWindow}: one step of SCAN's stateless cursor on the ring-hash circle, the same
 *       in all three stores.
 *   <li>{@link Key}: a key's bytes and their CRC32, computed once: the hash-table hash and the
 *       key's position on the ring, so routing and range walks never hash twice.
 *   <li>{@link Clock}: injected time: monotonic for deadlines, and the wall offset that maps a
 *       deadline to Unix time and back ({@code EXAT}/{@code PXAT}, {@code EXPIRETIME}, the absolute
 *       expiry times of handoffs) with no second reading; tests advance a fake one.
 *   <li>{@code SystemClock}: {@link Clock#SYSTEM}, its wall offset sampled with a bounded error and
 *       re-sampled only when the wall clock steps.
 *   <li>{@link io.ringcache.resp.Decimal} (cache-resp): strict decimal integers as Redis reads
 *       them, for the values INCR and DECR change.
 *   <li>{@link StoreStats}: eviction and expiry counters for INFO and the metrics.
 * </ul>
 *
 * <p>Threads: the store is shared by every worker loop and by the {@code ringcache-cluster}
 * threads (handoff streams, purges); every implementation locks per segment or bin, never the whole
 * store. Active expiry runs from the node's once-a-second housekeeping ({@link Store#cleanUp}).
 */
package io.ringcache.node.store;
