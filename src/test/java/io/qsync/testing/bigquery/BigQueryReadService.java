package io.qsync.testing.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.bigquery.storage.v1.ArrowRecordBatch;
import com.google.cloud.bigquery.storage.v1.ArrowSchema;
import com.google.cloud.bigquery.storage.v1.BigQueryReadGrpc;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import com.google.cloud.bigquery.storage.v1.StreamStats;
import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The emulator's BigQuery Storage Read API (google.cloud.bigquery.storage.v1.BigQueryRead), plain
 * gRPC on a port of 127.0.0.1: {@code CreateReadSession} in Arrow over a table, its rows split into
 * up to {@code max_stream_count} streams of consecutive rows (none for an empty table, as BigQuery
 * gives), and {@code ReadRows} from a stream's offset, in record batches of {@link
 * BigQueryEmulator#storageBatchRows} rows ({@link BigQueryArrowValues}); the first response carries
 * the schema too. Faults ({@link BigQueryEmulator}): a permission denied, sessions that expire, a
 * stream that breaks after so many rows. Thread-safe.
 */
final class BigQueryReadService extends BigQueryReadGrpc.BigQueryReadImplBase {
  private static final Pattern TABLE =
      Pattern.compile("projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)");
  private static final Pattern STREAM = Pattern.compile("(.+/sessions/[^/]+)/streams/(\\d+)");

  /** A session: its table, and the first row of each stream (and the end, last). */
  private record Session(String dataset, String table, long[] bounds, JsonNode fields) {}

  private final BigQueryEmulator emulator;
  private final Server server;
  private final BufferAllocator memory = new RootAllocator();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Boolean> expired = new ConcurrentHashMap<>();
  private final AtomicLong sessionCount = new AtomicLong();
  final AtomicInteger deny = new AtomicInteger();
  final AtomicInteger expireNew = new AtomicInteger();
  final AtomicInteger breaks = new AtomicInteger();
  volatile long breakAfterRows;
  final AtomicLong expireAfterRows = new AtomicLong();
  volatile int batchRows = 1024;

  BigQueryReadService(BigQueryEmulator emulator) throws IOException {
    this.emulator = emulator;
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(this)
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  long sessionsCreated() {
    return sessionCount.get();
  }

  /** Every session made so far expires: its streams answer as BigQuery's expired ones do. */
  void expireAll() {
    sessions.keySet().forEach(name -> expired.put(name, true));
  }

  void close() {
    server.shutdownNow();
    memory.close();
  }

  @Override
  public void createReadSession(
      CreateReadSessionRequest request, StreamObserver<ReadSession> response) {
    emulator.countRequest("storage.createReadSession");
    String parent = request.getParent();
    if (deny.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
      // What BigQuery answers an account without bigquery.readsessions.create.
      response.onError(
          Status.PERMISSION_DENIED
              .withDescription(
                  "request failed: the user does not have 'bigquery.readsessions.create'"
                      + " permission for '"
                      + parent
                      + "'")
              .asRuntimeException());
      return;
    }
    Matcher table = TABLE.matcher(request.getReadSession().getTable());
    if (!table.matches() || request.getReadSession().getDataFormat() != DataFormat.ARROW) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("the emulator reads tables in ARROW only")
              .asRuntimeException());
      return;
    }
    ObjectNode page;
    try {
      page = emulator.storagePage(table.group(2), table.group(3), 0, 0);
    } catch (BigQueryEmulator.ApiError e) {
      response.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    long rows = page.path("totalRows").asLong();
    int asked = request.getMaxStreamCount() <= 0 ? 1000 : request.getMaxStreamCount();
    int streams = (int) Math.min(Math.min(asked, emulator.storageStreams()), rows);
    long[] bounds = new long[streams + 1];
    for (int i = 0; i <= streams; i++) {
      bounds[i] = rows * i / Math.max(streams, 1);
    }
    String name =
        "projects/"
            + emulator.project()
            + "/locations/us/sessions/s"
            + sessionCount.incrementAndGet();
    JsonNode fields = page.path("schema").path("fields");
    sessions.put(name, new Session(table.group(2), table.group(3), bounds, fields));
    if (expireNew.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
      expired.put(name, true);
    }
    Schema schema = BigQueryArrowValues.schema(fields);
    ReadSession.Builder session =
        ReadSession.newBuilder()
            .setName(name)
            .setTable(request.getReadSession().getTable())
            .setDataFormat(DataFormat.ARROW)
            .setEstimatedRowCount(rows)
            .setArrowSchema(
                ArrowSchema.newBuilder()
                    .setSerializedSchema(
                        ByteString.copyFrom(BigQueryArrowValues.serialize(schema))));
    for (int i = 0; i < streams; i++) {
      session.addStreams(ReadStream.newBuilder().setName(name + "/streams/" + i));
    }
    response.onNext(session.build());
    response.onCompleted();
  }

  @Override
  public void readRows(ReadRowsRequest request, StreamObserver<ReadRowsResponse> response) {
    emulator.countRequest("storage.readRows");
    Matcher stream = STREAM.matcher(request.getReadStream());
    Session session = stream.matches() ? sessions.get(stream.group(1)) : null;
    if (session == null) {
      response.onError(
          Status.NOT_FOUND
              .withDescription("Requested stream not found: " + request.getReadStream())
              .asRuntimeException());
      return;
    }
    if (expired.containsKey(stream.group(1))) {
      // A session lives about six hours; reading one past it fails so.
      response.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "there was an error operating on '"
                      + request.getReadStream()
                      + "': session expired")
              .asRuntimeException());
      return;
    }
    int index = Integer.parseInt(stream.group(2));
    long start = session.bounds()[index] + request.getOffset();
    long end = session.bounds()[index + 1];
    Schema schema = BigQueryArrowValues.schema(session.fields());
    long sent = 0;
    boolean first = true;
    for (long row = start; row < end; ) {
      int count = (int) Math.min(batchRows, end - row);
      if (breakAfterRows > 0 && sent >= breakAfterRows && breaks.get() > 0) {
        breaks.decrementAndGet();
        response.onError(
            Status.UNAVAILABLE
                .withDescription("the emulator broke the stream after " + sent + " rows")
                .asRuntimeException());
        return;
      }
      long expireAfter = expireAfterRows.get();
      if (expireAfter > 0 && sent >= expireAfter && expireAfterRows.compareAndSet(expireAfter, 0)) {
        expired.put(stream.group(1), true);
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription(
                    "there was an error operating on '"
                        + request.getReadStream()
                        + "': session expired")
                .asRuntimeException());
        return;
      }
      ObjectNode page = emulator.storagePage(session.dataset(), session.table(), row, count);
      List<JsonNode> rows = new ArrayList<>();
      page.path("rows").forEach(rows::add);
      ReadRowsResponse.Builder batch =
          ReadRowsResponse.newBuilder()
              .setRowCount(rows.size())
              .setArrowRecordBatch(
                  ArrowRecordBatch.newBuilder()
                      .setSerializedRecordBatch(
                          ByteString.copyFrom(
                              BigQueryArrowValues.batch(schema, session.fields(), rows, memory))))
              .setStats(
                  StreamStats.newBuilder()
                      .setProgress(
                          StreamStats.Progress.newBuilder()
                              .setAtResponseStart((double) (row - start) / (end - start))
                              .setAtResponseEnd((double) (row + count - start) / (end - start))));
      if (first) {
        batch.setArrowSchema(
            ArrowSchema.newBuilder()
                .setSerializedSchema(ByteString.copyFrom(BigQueryArrowValues.serialize(schema))));
        first = false;
      }
      response.onNext(batch.build());
      row += count;
      sent += count;
    }
    response.onCompleted();
  }
}
