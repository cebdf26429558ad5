package io.ringcache.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns keys and values into the bytes a node stores, and back: what makes a typed view of the
 * client ({@link CacheClient#withCodec}, {@link CacheClient#asyncWithCodec}). Implementations must
 * be thread-safe and must give equal keys equal bytes (the bytes decide the node). The client never
 * passes {@code null} to a codec: a missing value is {@code null} before decoding.
 *
 * <p>Ready-made: {@link #UTF8} (the client's own {@code String} view), {@link #BYTES} (the binary
 * view), {@link JsonCodec} (values as JSON with Jackson), and {@link #of(Codec, Codec)} to combine
 * one codec's keys with another's values.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface Codec<K, V> {

  /** The bytes of {@code key}; the node that owns it is chosen by their CRC32. */
  byte[] encodeKey(K key);

  /** The key of {@code bytes} (what {@code scan()} returns). */
  K decodeKey(byte[] bytes);

  /** The bytes stored for {@code value}. */
  byte[] encodeValue(V value);

  /**
   * The value of {@code bytes}. A failure is the caller's: it fails the operation with the
   * codec's exception.
   */
  V decodeValue(byte[] bytes);

  /** UTF-8 strings, keys and values. */
  Codec<String, String> UTF8 =
      new Codec<>() {
        @Override
        public byte[] encodeKey(String key) {
          return key.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decodeKey(byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public byte[] encodeValue(String value) {
          return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decodeValue(byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
          return "Codec.UTF8";
        }
      };

  /** Bytes as they are, keys and values (the arrays are neither copied nor kept). */
  Codec<byte[], byte[]> BYTES =
      new Codec<>() {
        @Override
        public byte[] encodeKey(byte[] key) {
          return key;
        }

        @Override
        public byte[] decodeKey(byte[] bytes) {
          return bytes;
        }

        @Override
        public byte[] encodeValue(byte[] value) {
          return value;
        }

        @Override
        public byte[] decodeValue(byte[] bytes) {
          return bytes;
        }

        @Override
        public String toString() {
          return "Codec.BYTES";
        }
      };

  /**
   * The keys of {@code keys} with the values of {@code values}: {@code Codec.of(Codec.UTF8,
   * JsonCodec.of(User.class))} has {@code String} keys and {@code User} values.
   */
  static <K, V> Codec<K, V> of(Codec<K, ?> keys, Codec<?, V> values) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(values, "values");
    return new Codec<>() {
      @Override
      public byte[] encodeKey(K key) {
        return keys.encodeKey(key);
      }

      @Override
      public K decodeKey(byte[] bytes) {
        return keys.decodeKey(bytes);
      }

      @Override
      public byte[] encodeValue(V value) {
        return values.encodeValue(value);
      }

      @Override
      public V decodeValue(byte[] bytes) {
        return values.decodeValue(bytes);
      }

      @Override
      public String toString() {
        return "Codec.of(" + keys + ", " + values + ")";
      }
    };
  }
}
