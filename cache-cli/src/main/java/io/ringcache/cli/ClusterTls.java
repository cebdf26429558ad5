package io.ringcache.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of {@code cachectl cluster up --tls}: one self-signed certificate for
 * 127.0.0.1 and localhost, made by the JDK's keytool in the run directory's {@code tls/} folder: a
 * PKCS#12 keystore for the servers ({@code cluster.p12} and its random password in
 * {@code keystore-password}, both readable by the owner only) and the certificate in PEM for clients
 * ({@code cluster.pem}).
 */
record ClusterTls(Path keystore, String password, Path caCert) {

  static final String DIR = "tls";

  /** Makes a new certificate in {@code runDirectory/tls}, replacing any earlier one. */
  static ClusterTls create(Path runDirectory) {
    Path dir = runDirectory.resolve(DIR);
    Path keystore = dir.resolve("cluster.p12");
    Path caCert = dir.resolve("cluster.pem");
    Path passwordFile = dir.resolve("keystore-password");
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(keystore);
      Files.deleteIfExists(caCert);
      Files.deleteIfExists(passwordFile);
      Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(passwordFile, password + System.lineSeparator());
      keytool("-genkeypair", "-alias", "ringcache", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=ringcache local cluster", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "825",
          "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
      Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
      keytool("-exportcert", "-rfc", "-alias", "ringcache", "-keystore", keystore.toString(), "-storepass", password,
          "-file", caCert.toString());
    } catch (IOException e) {
      throw new CliException("cannot make the cluster's TLS certificate in " + dir + ": " + e.getMessage());
    }
    return new ClusterTls(keystore, password, caCert);
  }

  /** Sockets that trust only the cluster's certificate and check that it names the host dialled. */
  SSLSocketFactory sockets() {
    try (InputStream in = Files.newInputStream(caCert)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("cluster", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new CliException("cannot read the cluster's certificate " + caCert + ": " + e.getMessage());
    }
  }

  /** Layers TLS on a connected socket to 127.0.0.1 and completes the handshake. */
  static Socket wrap(SSLSocketFactory sockets, Socket plain, int port) throws IOException {
    SSLSocket socket = (SSLSocket) sockets.createSocket(plain, "127.0.0.1", port, true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
  }
}
