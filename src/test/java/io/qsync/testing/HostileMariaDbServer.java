package io.qsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A server that speaks just enough of the MySQL protocol to let a client log in, and then answers
 * queries as a hostile (or hijacked) server might: with a {@code LOCAL INFILE} request for a file
 * of its choosing. It records every byte the client sends after such a request, so a test can check
 * that no file content left the client. One connection at a time; close it.
 */
public final class HostileMariaDbServer implements AutoCloseable {
  private static final int CLIENT_LONG_PASSWORD = 1;
  private static final int CLIENT_LOCAL_FILES = 128;
  private static final int CLIENT_PROTOCOL_41 = 512;
  private static final int CLIENT_TRANSACTIONS = 8192;
  private static final int CLIENT_SECURE_CONNECTION = 32768;
  private static final int CLIENT_PLUGIN_AUTH = 1 << 19;

  /** Which queries get the file request: every one, or only LOAD DATA statements. */
  public enum Destination {
    EVERY_QUERY,
    LOAD_DATA_ONLY
  }

  private final ServerSocket socket;
  private final String requestedFile;
  private final Destination target;
  private final List<byte[]> sentAfterRequest = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;

  public HostileMariaDbServer(String requestedFile, Destination target) throws IOException {
    this.socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    this.requestedFile = requestedFile;
    this.target = target;
    this.thread = new Thread(this::serve, "hostile-mariadb");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** Everything the client sent in answer to the file requests, concatenated. */
  public byte[] receivedFileContent() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    synchronized (sentAfterRequest) {
      sentAfterRequest.forEach(all::writeBytes);
    }
    return all.toByteArray();
  }

  /** How many file requests the server made. */
  public int requests() {
    return requests;
  }

  private volatile int requests;

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        converse(client.getInputStream(), client.getOutputStream());
      } catch (IOException e) {
        // The client hung up or the server closed: wait for the next one.
      }
    }
  }

  private void converse(InputStream in, OutputStream out) throws IOException {
    writePacket(out, 0, greeting());
    readPacket(in); // the client's login; any password will do
    writePacket(out, 2, ok(0));
    while (true) {
      Packet command = readPacket(in);
      if (command.payload.length == 0 || command.payload[0] == 0x01) {
        return; // COM_QUIT
      }
      if (command.payload[0] != 0x03) {
        writePacket(out, 1, ok(0)); // COM_PING, COM_RESET_CONNECTION, ...
        continue;
      }
      String query =
          new String(command.payload, 1, command.payload.length - 1, StandardCharsets.UTF_8);
      boolean hostile =
          target == Destination.EVERY_QUERY
              || query.stripLeading().toUpperCase().startsWith("LOAD DATA");
      if (!hostile) {
        writePacket(out, 1, ok(0));
        continue;
      }
      requests++;
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write(0xFB);
      request.writeBytes(requestedFile.getBytes(StandardCharsets.UTF_8));
      writePacket(out, 1, request.toByteArray());
      int sequence = 2;
      long rows = 0;
      while (true) {
        Packet data = readPacket(in);
        sequence = data.sequence + 1;
        if (data.payload.length == 0) {
          break;
        }
        sentAfterRequest.add(data.payload);
        for (byte b : data.payload) {
          rows += b == '\n' ? 1 : 0;
        }
      }
      writePacket(out, sequence, ok(rows));
    }
  }

  private record Packet(int sequence, byte[] payload) {}

  private static Packet readPacket(InputStream in) throws IOException {
    byte[] header = in.readNBytes(4);
    if (header.length < 4) {
      throw new IOException("client hung up");
    }
    int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
    byte[] payload = in.readNBytes(length);
    if (payload.length < length) {
      throw new IOException("client hung up");
    }
    return new Packet(header[3] & 0xff, payload);
  }

  private static void writePacket(OutputStream out, int sequence, byte[] payload)
      throws IOException {
    out.write(
        new byte[] {
          (byte) payload.length,
          (byte) (payload.length >> 8),
          (byte) (payload.length >> 16),
          (byte) sequence
        });
    out.write(payload);
    out.flush();
  }

  private static byte[] greeting() {
    int capabilities =
        CLIENT_LONG_PASSWORD
            | CLIENT_LOCAL_FILES
            | CLIENT_PROTOCOL_41
            | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH;
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(10); // protocol version
    packet.writeBytes("5.5.5-10.11.0-MariaDB-hostile\0".getBytes(StandardCharsets.US_ASCII));
    packet.writeBytes(new byte[] {1, 0, 0, 0}); // connection id
    packet.writeBytes("abcdefgh".getBytes(StandardCharsets.US_ASCII)); // scramble, part 1
    packet.write(0);
    packet.write(capabilities & 0xff);
    packet.write((capabilities >> 8) & 0xff);
    packet.write(45); // utf8mb4_general_ci
    packet.writeBytes(new byte[] {2, 0}); // status: autocommit
    packet.write((capabilities >> 16) & 0xff);
    packet.write((capabilities >> 24) & 0xff);
    packet.write(21); // scramble length
    packet.writeBytes(new byte[10]); // reserved
    packet.writeBytes("ijklmnopqrst\0".getBytes(StandardCharsets.US_ASCII)); // scramble, part 2
    packet.writeBytes("mysql_native_password\0".getBytes(StandardCharsets.US_ASCII));
    return packet.toByteArray();
  }

  /** An OK packet reporting {@code affectedRows} (below 251, or a 3-byte length-encoded number). */
  private static byte[] ok(long affectedRows) {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0);
    if (affectedRows < 251) {
      packet.write((int) affectedRows);
    } else {
      packet.write(0xFD);
      packet.write((int) (affectedRows & 0xff));
      packet.write((int) ((affectedRows >> 8) & 0xff));
      packet.write((int) ((affectedRows >> 16) & 0xff));
    }
    packet.write(0); // last insert id
    packet.writeBytes(new byte[] {2, 0}); // status: autocommit
    packet.writeBytes(new byte[] {0, 0}); // warnings
    return packet.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
