package io.qsync.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between qsync and a MariaDB server, for the fault-injection tests: it forwards bytes
 * both ways until a test tells it to cut every connection (a reset, as a failed switch or a killed
 * server leaves them), to stall (stop forwarding, as a network partition does), to slow down, or to
 * cut at a chosen moment: after a number of bytes, or at the Nth {@code COMMIT} a client sends,
 * either before the server gets it or after the server has answered it (so the transaction commits
 * but the client never learns it).
 *
 * <p>Lifecycle: {@link #start}, point the sync's url at {@link #url}, {@link #close} (stops
 * accepting and cuts everything). Plain sockets, two named daemon threads per connection.
 * Thread-safe: the test thread and the run's fault points steer it while the pumps forward.
 */
final class FaultProxy implements AutoCloseable {
  /** Which way bytes flow. */
  enum Direction {
    /** qsync to the server: queries, batches, COMMIT. */
    TO_SERVER,
    /** the server to qsync: results, OK packets. */
    TO_CLIENT
  }

  /** A COM_QUERY packet of {@code COMMIT}: length 7, sequence 0, command 3, the text. */
  private static final byte[] COMMIT_PACKET = commitPacket();

  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private final AtomicLong[] bytes = {new AtomicLong(), new AtomicLong()};
  private final AtomicInteger commits = new AtomicInteger();
  private volatile boolean stalled;
  private volatile long delayMillis;
  private volatile Direction cutDirection;
  private volatile long cutAtBytes = Long.MAX_VALUE;
  private volatile int cutAtCommit;
  private volatile boolean cutAfterCommitAnswered;
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger stalls = new AtomicInteger();

  private FaultProxy(ServerSocket listener, InetSocketAddress upstream) {
    this.listener = listener;
    this.upstream = upstream;
  }

  /** Listens on a free local port and forwards each connection to {@code host:port}. */
  static FaultProxy start(String host, int port) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      FaultProxy proxy = new FaultProxy(listener, new InetSocketAddress(host, port));
      Thread acceptor = new Thread(proxy::accept, "fault-proxy-accept-" + listener.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  /** A JDBC URL for one database, through the proxy. */
  String url(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port() + "/" + database;
  }

  /** Resets every open connection (RST both ways) and drops held bytes; ends a stall. */
  void cutAll() {
    cuts.incrementAndGet();
    synchronized (gate) {
      stalled = false;
      links.forEach(Link::reset);
      gate.notifyAll();
    }
  }

  /** Stops forwarding on every connection, open or new, until {@link #cutAll}. */
  void stall() {
    stalls.incrementAndGet();
    stalled = true;
  }

  /** Whether the proxy has stalled or slowed its connections, or cut them. */
  boolean struck() {
    return cuts.get() > 0 || stalls.get() > 0;
  }

  /** Ends a stall and a slow-down, as a network that heals: a stalled connection is reset. */
  void heal() {
    delayMillis = 0;
    if (stalled) {
      cutAll();
    }
  }

  /** Delays every chunk forwarded either way by this long (zero: full speed). */
  void slow(Duration perChunk) {
    stalls.incrementAndGet();
    delayMillis = perChunk.toMillis();
  }

  /** Cuts everything once {@code count} more bytes have gone in {@code direction}. */
  void cutAfterBytes(Direction direction, long count) {
    cutAtBytes = bytes[direction.ordinal()].get() + count;
    cutDirection = direction;
  }

  /**
   * Cuts everything at the {@code nth} COMMIT from now: before the server gets it ({@code answered}
   * false), or once the server has committed and answered, before qsync sees the answer.
   */
  void cutAtCommit(int nth, boolean answered) {
    cutAfterCommitAnswered = answered;
    cutAtCommit = commits.get() + nth;
  }

  long bytes(Direction direction) {
    return bytes[direction.ordinal()].get();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing a listener fails only when it is closed already
    }
    cutAll();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        try {
          server.connect(upstream, 5_000);
        } catch (IOException e) {
          client.setSoLinger(true, 0);
          client.close(); // the server is down: the client sees its connection reset
          continue;
        }
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        return; // the listener was closed
      }
    }
  }

  /** One proxied connection: a socket to qsync, one to the server, a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private volatile boolean closed;
    private volatile boolean cutOnAnswer;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      String name = "fault-proxy-" + client.getPort();
      Thread up = new Thread(() -> pump(client, server, Direction.TO_SERVER), name + "-up");
      Thread down = new Thread(() -> pump(server, client, Direction.TO_CLIENT), name + "-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    private void pump(Socket from, Socket to, Direction direction) {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int read = in.read(buffer);
          if (read < 0) {
            break;
          }
          if (!awaitForwarding()) {
            return;
          }
          if (direction == Direction.TO_CLIENT && cutOnAnswer) {
            cutAll(); // the server answered the COMMIT; qsync never hears it
            return;
          }
          if (direction == Direction.TO_SERVER
              && containsCommit(buffer, read)
              && commits.incrementAndGet() == cutAtCommit) {
            if (!cutAfterCommitAnswered) {
              cutAll(); // the server never gets the COMMIT
              return;
            }
            cutOnAnswer = true;
          }
          int forward = read;
          AtomicLong counter = bytes[direction.ordinal()];
          long before = counter.get();
          boolean cut = direction == cutDirection && before + read >= cutAtBytes;
          if (cut) {
            forward = (int) Math.max(0, cutAtBytes - before);
          }
          out.write(buffer, 0, forward);
          out.flush();
          counter.addAndGet(forward);
          if (cut) {
            cutDirection = null;
            cutAll();
            return;
          }
        }
      } catch (IOException e) {
        // the other side or a cut closed the connection
      } finally {
        close();
      }
    }

    /** Waits while stalled or slowed; false once the link is closed. */
    private boolean awaitForwarding() {
      synchronized (gate) {
        while (stalled && !closed) {
          try {
            gate.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      long delay = delayMillis;
      if (delay > 0) {
        try {
          Thread.sleep(delay); // the fault itself: a slow network
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return !closed;
    }

    /** Closes both sockets with a reset, as a broken network leaves them. */
    void reset() {
      closed = true;
      for (Socket socket : new Socket[] {client, server}) {
        try {
          socket.setSoLinger(true, 0);
          socket.close();
        } catch (IOException e) {
          // already closed
        }
      }
      links.remove(this);
    }

    void close() {
      closed = true;
      try {
        client.close();
        server.close();
      } catch (IOException e) {
        // already closed
      }
      links.remove(this);
      synchronized (gate) {
        gate.notifyAll();
      }
    }
  }

  private static boolean containsCommit(byte[] buffer, int length) {
    outer:
    for (int i = 0; i + COMMIT_PACKET.length <= length; i++) {
      for (int j = 0; j < COMMIT_PACKET.length; j++) {
        if (buffer[i + j] != COMMIT_PACKET[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] commitPacket() {
    byte[] text = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    byte[] packet = new byte[5 + text.length];
    packet[0] = (byte) (1 + text.length);
    packet[4] = 3;
    System.arraycopy(text, 0, packet, 5, text.length);
    return packet;
  }
}
