package io.ringcache.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * {@code String} keys (UTF-8) and values of one type as JSON (UTF-8), written and read with a
 * Jackson {@link ObjectMapper}:
 *
 * <pre>{@code
 * CacheCommands<String, User> users = cache.withCodec(JsonCodec.of(User.class));
 * users.put("user:1", new User("alice", 31));
 * User alice = users.get("user:1");
 * CacheCommands<String, List<User>> teams = cache.withCodec(JsonCodec.of(new TypeReference<List<User>>() {}));
 * }</pre>
 *
 * <p>A value that cannot be written fails the call with {@link IllegalArgumentException} before
 * anything is sent; a stored value that cannot be read as the type fails it with {@link
 * CacheException} naming the type. Thread-safe (as its mapper is, once configured).
 *
 * @param <V> the value type
 */
public final class JsonCodec<V> implements Codec<String, V> {

  private final ObjectMapper mapper;
  private final JavaType type;

  private JsonCodec(ObjectMapper mapper, JavaType type) {
    this.mapper = mapper;
    this.type = type;
  }

  /** Values of {@code type} with a default {@link ObjectMapper} (records and beans work). */
  public static <V> JsonCodec<V> of(Class<V> type) {
    return of(new ObjectMapper().findAndRegisterModules(), type);
  }

  /** Values of a generic type ({@code new TypeReference<List<User>>() {}}) with a default mapper. */
  public static <V> JsonCodec<V> of(TypeReference<V> type) {
    return of(new ObjectMapper().findAndRegisterModules(), type);
  }

  /** Values of {@code type} with {@code mapper}, configured as the application likes. */
  public static <V> JsonCodec<V> of(ObjectMapper mapper, Class<V> type) {
    Objects.requireNonNull(mapper, "mapper");
    return new JsonCodec<>(mapper, mapper.constructType(Objects.requireNonNull(type, "type")));
  }

  /** Values of the generic {@code type} with {@code mapper}. */
  public static <V> JsonCodec<V> of(ObjectMapper mapper, TypeReference<V> type) {
    Objects.requireNonNull(mapper, "mapper");
    return new JsonCodec<>(mapper, mapper.getTypeFactory().constructType(Objects.requireNonNull(type, "type")));
  }

  @Override
  public byte[] encodeKey(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String decodeKey(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public byte[] encodeValue(V value) {
    try {
      return mapper.writerFor(type).writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write a " + type.toCanonical() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public V decodeValue(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (IOException e) {
      throw new CacheException("the stored value (" + bytes.length + " bytes) is not a JSON " + type.toCanonical() + ": "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
    }
  }

  @Override
  public String toString() {
    return "JsonCodec{" + type.toCanonical() + "}";
  }
}
