package io.ringcache.resp.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS for ringcache's RESP connections.
 *
 * A server (a node's port, the router's proxy port) presents the key and certificate of a PKCS#12
 * keystore, as {@code keytool -genkeypair -storetype PKCS12} makes, and then speaks TLS only. A
 * client (a node streaming to a peer, the router talking to nodes) trusts the certificates of a
 * PEM file (a CA, or the servers' own self-signed certificates), or the JDK's default authorities
 * without one, and checks that the server's certificate names the host it dialled (a
 * subjectAltName DNS name or IP address, as HTTPS does).
 */
public final class Tls {

  private static final String VERIFY_HOST = "HTTPS";

  private Tls() {}

  /** Which TLS implementation the contexts use: BoringSSL through netty-tcnative when it loads, else the JDK's. */
  public static String engine() {
    return OpenSsl.isAvailable() ? OpenSsl.versionString() : "JDK " + System.getProperty("java.version");
  }

  /** A server context from a PKCS#12 keystore; a missing or unreadable keystore is a clear error. */
  public static SslContext server(Path keystore, String password) {
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

  /** A client context trusting the PEM certificates in {@code trusted}, or the JDK's defaults when null. */
  public static SslContext client(Path trusted) {
    return clientBuilder(trusted, null);
  }

  /** The handler that starts a client connection to {@code host:port}, checking the certificate names the host. */
  public static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
    return context.newHandler(alloc, host, port);
  }

  /** Sockets for blocking clients, trusting as {@link #client(Path)}; wrap each with {@link #wrap}. */
  public static SSLSocketFactory socketFactory(Path trusted) {
    return ((JdkSslContext) clientBuilder(trusted, SslProvider.JDK)).context().getSocketFactory();
  }

  /** Layers TLS over a connected socket and completes the handshake (within the socket's read timeout). */
  public static Socket wrap(SSLSocketFactory factory, Socket plain, String host, int port) throws IOException {
    SSLSocket socket = (SSLSocket) factory.createSocket(plain, host, port, true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm(VERIFY_HOST);
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  private static SslContext clientBuilder(Path trusted, SslProvider provider) {
    SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm(VERIFY_HOST);
    if (provider != null) {
      builder.sslProvider(provider);
    }
    try {
      if (trusted != null) {
        builder.trustManager(trusted.toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot load the trusted TLS certificates " + trusted + ": " + e.getMessage(), e);
    }
  }
}
