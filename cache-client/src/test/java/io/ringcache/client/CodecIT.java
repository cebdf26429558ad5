package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ringcache.testkit.EmbeddedCluster;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Typed views through public codecs, on three real ringcache nodes. */
class CodecIT {

  record User(String name, int age) {}

  /** Long keys as 8 big-endian bytes: a codec of the application's own. */
  static final Codec<Long, Long> LONGS =
      new Codec<>() {
        @Override
        public byte[] encodeKey(Long key) {
          return ByteBuffer.allocate(8).putLong(key).array();
        }

        @Override
        public Long decodeKey(byte[] bytes) {
          return ByteBuffer.wrap(bytes).getLong();
        }

        @Override
        public byte[] encodeValue(Long value) {
          return encodeKey(value);
        }

        @Override
        public Long decodeValue(byte[] bytes) {
          return decodeKey(bytes);
        }
      };

  private EmbeddedCluster cluster;
  private CacheClient cache;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start();
    cluster.pushTopology(cluster.topologyOf(1, 0, 1, 2));
    cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build();
  }

  @AfterEach
  void stop() {
    cache.close();
    cluster.close();
  }

  @Test
  void jsonCodec_storesRecordsAsJson_andReadsThemBack_syncAndAsync() {
    CacheCommands<String, User> users = cache.withCodec(JsonCodec.of(User.class));
    users.put("user:1", new User("alice", 31));
    assertThat(cache.get("user:1")).isEqualTo("{\"name\":\"alice\",\"age\":31}");
    assertThat(users.get("user:1")).isEqualTo(new User("alice", 31));
    assertThat(users.get("user:none")).isNull();
    assertThat(users.getAndSet("user:1", new User("alice", 32))).isEqualTo(new User("alice", 31));
    users.putAll(Map.of("user:2", new User("bob", 40), "user:3", new User("carol", 25)));
    assertThat(users.getAll(List.of("user:1", "user:2", "user:3", "user:4")))
        .containsExactly(Map.entry("user:1", new User("alice", 32)), Map.entry("user:2", new User("bob", 40)),
            Map.entry("user:3", new User("carol", 25)));
    AsyncCacheCommands<String, User> async = cache.asyncWithCodec(JsonCodec.of(User.class));
    assertThat(async.putIfAbsent("user:5", new User("dan", 50), Duration.ofMinutes(1)).join()).isTrue();
    assertThat(async.get("user:5").join()).isEqualTo(new User("dan", 50));
  }

  @Test
  void jsonCodec_withAGenericType_readsTheWholeStructure() {
    CacheCommands<String, List<User>> teams = cache.withCodec(JsonCodec.of(new TypeReference<List<User>>() {}));
    teams.put("team:a", List.of(new User("a", 1), new User("b", 2)));
    assertThat(teams.get("team:a")).containsExactly(new User("a", 1), new User("b", 2));
  }

  @Test
  void jsonCodec_aStoredValueThatIsNotJsonOfTheType_failsTheCallWithACacheException_namingTheType() {
    cache.put("user:bad", "not json");
    CacheCommands<String, User> users = cache.withCodec(JsonCodec.of(User.class));
    assertThatThrownBy(() -> users.get("user:bad"))
        .isInstanceOf(CacheException.class)
        .hasMessageStartingWith("the stored value (8 bytes) is not a JSON " + User.class.getName());
    assertThatThrownBy(() -> users.getAll(List.of("user:bad")))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("is not a JSON");
    assertThat(cache.get("user:bad")).as("the connection keeps serving").isEqualTo("not json");
  }

  @Test
  void jsonCodec_aValueJacksonCannotWrite_isRefusedBeforeSending() {
    CacheCommands<String, Object> objects = cache.withCodec(JsonCodec.of(Object.class));
    assertThatThrownBy(() -> objects.put("o", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot write a java.lang.Object as JSON");
    assertThat(cache.exists("o")).isFalse();
  }

  @Test
  void codecOf_combinesOneCodecsKeysWithAnothersValues_andScanDecodesKeys() {
    CacheCommands<Long, User> byId = cache.withCodec(Codec.of(LONGS, JsonCodec.of(User.class)));
    for (long id = 0; id < 300; id++) {
      byId.put(id, new User("u" + id, (int) id));
    }
    assertThat(byId.get(42L)).isEqualTo(new User("u42", 42));
    assertThat(cache.binary().get(ByteBuffer.allocate(8).putLong(42).array()))
        .isEqualTo("{\"name\":\"u42\",\"age\":42}".getBytes(StandardCharsets.UTF_8));
    List<Long> ids = new ArrayList<>();
    byId.scan().forEachRemaining(ids::add);
    assertThat(ids).hasSize(300).containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.range(0, 300).boxed().toList());

    CacheCommands<Long, Long> counters = cache.withCodec(LONGS);
    counters.put(-1L, 7L);
    assertThat(counters.get(-1L)).isEqualTo(7L);
  }
}
