package io.ringcache.testkit.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 (its subjectAltName, so that host checks pass), made
 * fresh by the JDK's {@code keytool} and valid for two days: a PKCS#12 keystore for the servers
 * ({@code --tls-keystore}) and the certificate in PEM for clients ({@code --tls-ca-cert},
 * {@code CacheClient.Builder.tlsCaCert}). {@link LaunchedCluster.Builder#tls()} makes one for its
 * cluster; {@link LaunchedCluster#certificates()} hands it to the test.
 *
 * @param keystore the PKCS#12 keystore holding the key and the certificate
 * @param password the keystore's password ({@link #PASSWORD})
 * @param caCert the certificate in PEM, the one a client trusts
 */
public record TestCertificates(Path keystore, String password, Path caCert) {

  /** The keystore password of every certificate this class makes. */
  public static final String PASSWORD = "changeit";

  /** Makes the keystore ({@code server.p12}) and the PEM certificate ({@code server.pem}) in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path keystore = dir.resolve("server.p12");
    Path caCert = dir.resolve("server.pem");
    keytool("-genkeypair", "-alias", "ringcache", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "ringcache", "-keystore", keystore.toString(), "-storepass", PASSWORD,
        "-file", caCert.toString());
    return new TestCertificates(keystore, PASSWORD, caCert);
  }

  /** A client TLS context that trusts this certificate only. */
  public SSLContext clientContext() {
    try (InputStream in = Files.newInputStream(caCert)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust " + caCert + ": " + e, e);
    }
  }

  /**
   * Sends a plaintext PING to {@code 127.0.0.1:port} and returns what came back before the server
   * closed the connection ("" for nothing); fails when the connection stays open for 5 seconds. A
   * TLS-only port answers no {@code +PONG}.
   */
  public static String plaintextPing(int port) throws IOException {
    try (Socket plain = new Socket("127.0.0.1", port)) {
      plain.setSoTimeout(5_000);
      plain.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] chunk = new byte[256];
      try {
        for (int n; (n = plain.getInputStream().read(chunk)) >= 0; ) {
          answer.write(chunk, 0, n);
        }
      } catch (SocketTimeoutException open) {
        throw new AssertionError("the connection is still open after a plaintext PING: " + answer);
      } catch (SocketException reset) {
        // closed with a reset: as good as a close
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      keytool.destroyForcibly();
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
