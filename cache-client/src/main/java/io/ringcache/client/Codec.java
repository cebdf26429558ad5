package io.ringcache.client;

import java.nio.charset.StandardCharsets;

/** Keys and values to bytes and back: what makes a typed view of the byte-level client. */
interface Codec<K, V> {

  byte[] encodeKey(K key);

  K decodeKey(byte[] bytes);

  byte[] encodeValue(V value);

  V decodeValue(byte[] bytes);

  /** UTF-8 strings. */
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
      };

  /** Bytes as they are. */
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
      };
}
