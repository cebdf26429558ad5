package io.ringcache.client;

import java.time.Duration;

/**
 * Run in a fresh JVM by {@link StartupIT}: builds a client with a 50 ms command timeout (nothing
 * warmed up: Netty, the codec, logging and the JIT are all cold), prints how long it took from
 * main() to a built client and then a first put and get, and exits 0, or 1 with the exception.
 * Arguments: the startup timeout in seconds, then the seeds.
 */
public final class ColdBuildProgram {

  private ColdBuildProgram() {}

  public static void main(String[] args) {
    long start = System.nanoTime();
    Duration startupTimeout = Duration.ofSeconds(Long.parseLong(args[0]));
    String[] seeds = java.util.Arrays.copyOfRange(args, 1, args.length);
    long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    long mainAfterMillis = System.currentTimeMillis() - jvmStart;
    try (CacheClient cache =
        CacheClient.builder().seeds(seeds).commandTimeout(Duration.ofMillis(50)).startupTimeout(startupTimeout).build()) {
      long built = System.nanoTime();
      String first;
      try {
        cache.put("cold", "start");
        first = "first put+get " + ("start".equals(cache.get("cold")) ? "ok" : "wrong value");
      } catch (CacheException e) {
        first = "first put+get failed: " + e;
      }
      long done = System.nanoTime();
      System.out.printf("cold build: JVM start to main() %d ms; build() %.1f ms; %s in %.1f ms%n",
          mainAfterMillis, (built - start) / 1e6, first, (done - built) / 1e6);
    } catch (RuntimeException e) {
      System.out.println("cold build failed after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
      System.exit(1);
    }
    System.exit(0);
  }
}
