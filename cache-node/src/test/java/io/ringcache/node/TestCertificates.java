package io.ringcache.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 (its subjectAltName, so that host checks pass), made by
 * the JDK's keytool: a PKCS#12 keystore for servers and the certificate in PEM for clients.
 */
public record TestCertificates(Path keystore, String password, Path caCert) {

  public static final String PASSWORD = "changeit";

  /** Makes the keystore and the PEM certificate in {@code dir}. */
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

  /**
   * Sends a plaintext PING to {@code 127.0.0.1:port} and returns what came back before the server
   * closed the connection ("" for nothing); fails when the connection stays open for 5 seconds.
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
