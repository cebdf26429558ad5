package io.ringcache.jcache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.cache.CacheException;

/*
 * Keys and values to bytes: a String as 'S' + UTF-8 (readable with redis-cli, and the same bytes in
 * every JVM), anything else as 'J' + Java serialization (so keys and values must be Serializable,
 * and a key's class must serialize equal keys to equal bytes, as String, the boxed numbers, enums,
 * records and most value classes do). Deserialization resolves classes through the cache manager's
 * class loader.
 */

/** Keys and values of a JCache cache as the bytes ringcache stores. */
final class ValueSerializer {

  private static final byte STRING = 'S';
  private static final byte JAVA = 'J';

  private final ClassLoader classLoader;

  ValueSerializer(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  byte[] encode(Object object) {
    if (object instanceof String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[utf8.length + 1];
      out[0] = STRING;
      System.arraycopy(utf8, 0, out, 1, utf8.length);
      return out;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(JAVA);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(
          "a ringcache JCache cache stores keys and values by value, serialized: " + object.getClass().getName()
              + " is not Serializable", e);
    } catch (IOException e) {
      throw new CacheException("cannot serialize a " + object.getClass().getName() + ": " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  Object decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new CacheException("an empty stored value: not written by a ringcache JCache cache");
    }
    if (bytes[0] == STRING) {
      return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
    }
    if (bytes[0] != JAVA) {
      throw new CacheException("a stored value of " + bytes.length + " bytes that no ringcache JCache cache wrote (starts with "
          + Arrays.toString(Arrays.copyOf(bytes, Math.min(4, bytes.length))) + ")");
    }
    try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1), classLoader)) {
      return in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new CacheException("cannot deserialize a stored value of " + bytes.length + " bytes: " + e, e);
    }
  }

  /** Resolves classes through the cache manager's class loader first. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
