package io.ringcache.router;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/** TLS for the router's RESP port, from a PKCS#12 keystore (as `keytool -genkeypair -storetype PKCS12` makes). */
final class Tls {

  private Tls() {}

  static SslContext serverContext(Path keystore, String password) {
    char[] secret = password == null ? new char[0] : password.toCharArray();
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, secret);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, secret);
      return SslContextBuilder.forServer(keys).build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load the TLS keystore " + keystore + ": " + e.getMessage(), e);
    }
  }
}
