package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ServerStream;
import com.google.api.gax.rpc.StatusCode;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.storage.v1.BigQueryReadClient;
import com.google.cloud.bigquery.storage.v1.BigQueryReadSettings;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.ArrowStreamSink;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.c.jni.JniLoader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Reads a result table with the BigQuery Storage Read API: one read session in Arrow, its streams
 * read at once on {@code read_streams} threads of their own. Into a sink DuckDB stands behind
 * ({@link ArrowStreamSink}, the stage), the record batches go as they came, as one Arrow C stream
 * that DuckDB reads for one insert, each column converted in SQL ({@link BigQueryArrowSql}), no
 * value decoded in Java but those of a column DuckDB cannot take so (BIGNUMERIC, ARRAY, STRUCT),
 * which Java renders as text in each batch ({@link BigQueryJavaColumns}); any other sink, or where
 * Arrow's C data library does not load, gets each batch turned into rows on the stream's thread
 * ({@link BigQueryArrowRows}, {@link BigQueryTypes#row}) and handed to the sink on the caller's
 * thread; {@link #how} says which, and which columns Java rendered. Memory holds at most two
 * batches per stream (one being read, one waiting) and the one DuckDB reads; the read's end waits
 * for DuckDB to give them back ({@link BigQueryArrowMemory}). A stream that breaks (UNAVAILABLE,
 * INTERNAL, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) is read again from its offset, within
 * {@code retry_timeout}, each retry counted and told as {@code tabledata.list}'s are ({@link
 * BigQueryCalls#retrying}, on the thread that takes the batches); a session that expired before any
 * of its rows were handed on is created anew, and {@link #notes} say so (into DuckDB, that is any
 * time: its insert takes all rows or none). A session that expires after rows were handed on fails
 * the run, which the next run reads again from its job. Not thread-safe: one read at a time.
 */
final class BigQueryStorageReader {
  private static final Duration MAX_DELAY = Duration.ofSeconds(32);
  private static final int MAX_SESSIONS = 3;

  /**
   * How long the end of a read waits for DuckDB to give back the Arrow memory it was handed: its
   * threads let go of it a moment after its insert returned, within milliseconds.
   */
  private static final Duration GIVEN_BACK = Duration.ofSeconds(5);

  /** Worth another attempt from the stream's offset (gax's own retryable codes for ReadRows). */
  private static final Set<StatusCode.Code> TRANSIENT =
      Set.of(
          StatusCode.Code.UNAVAILABLE,
          StatusCode.Code.INTERNAL,
          StatusCode.Code.DEADLINE_EXCEEDED,
          StatusCode.Code.RESOURCE_EXHAUSTED,
          StatusCode.Code.ABORTED);

  private final BigQueryConnectionConfig config;
  private final Credentials credentials;
  private final Sleeper sleeper;
  private final BigQueryCalls calls;
  private int sessionsCreatedAgain;
  private final List<String> memoryNotes = new ArrayList<>();
  private int streams;
  private String how = "";

  /**
   * @param credentials the connection's credentials; null for none (an emulator)
   * @param calls the connection's REST calls, which count and tell each retry
   */
  BigQueryStorageReader(
      BigQueryConnectionConfig config,
      Credentials credentials,
      Sleeper sleeper,
      BigQueryCalls calls) {
    this.config = requireNonNull(config, "config is null");
    this.credentials = credentials;
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.calls = requireNonNull(calls, "calls is null");
  }

  /** The API refused to open a read session: not enabled, or the account may not. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads every row of {@code table} into {@code sink} and returns how many; {@code rows} is what
   * the table holds, and less or more fails the read.
   *
   * @throws Refused when CreateReadSession is denied (PERMISSION_DENIED, UNIMPLEMENTED), before any
   *     row was read
   */
  long read(TableId table, FieldList fields, List<Column> columns, long rows, RowSink sink)
      throws Refused {
    ArrowStreamSink arrow = null;
    if (sink instanceof ArrowStreamSink direct) {
      Optional<String> noCData = noCData();
      if (noCData.isEmpty()) {
        arrow = direct;
        Collection<String> inJava = BigQueryArrowSql.renderedInJava(fields).values();
        how =
            "; Arrow into DuckDB"
                + (inJava.isEmpty() ? "" : ", rendered in Java: " + String.join(", ", inJava));
      } else {
        how = "; decoded in Java: " + noCData.get();
      }
    }
    BigQueryArrowMemory memory = BigQueryArrowMemory.forRead(GIVEN_BACK);
    try (memory;
        BigQueryReadClient client = client()) {
      BufferAllocator allocator = memory.allocator();
      for (int session = 1; ; session++) {
        Outcome outcome =
            arrow == null
                ? readSession(client, allocator, table, fields, columns, sink)
                : readSession(client, allocator, table, fields, columns, arrow);
        if (outcome.expired() != null) {
          if (outcome.rows() > 0 || session >= MAX_SESSIONS) {
            throw new QsyncException(
                ErrorKind.FAILED,
                "BigQuery connection '"
                    + config.name()
                    + "': the Storage Read API's session over "
                    + BigQuerySource.name(table)
                    + " expired after "
                    + Plural.of(outcome.rows(), "row")
                    + " of "
                    + rows
                    + " were read ("
                    + outcome.expired().getMessage()
                    + ")\nThe next run reads the result table again in a new session (no query is"
                    + " billed again).",
                outcome.expired());
          }
          sessionsCreatedAgain++;
          continue;
        }
        if (outcome.rows() != rows) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "BigQuery connection '"
                  + config.name()
                  + "': the Storage Read API gave "
                  + Plural.of(outcome.rows(), "row")
                  + " of "
                  + BigQuerySource.name(table)
                  + ", which holds "
                  + rows
                  + "\nThe next run reads the result table again; set read_api: rest on the"
                  + " connection if it repeats.");
        }
        return outcome.rows();
      }
    } finally {
      memory.leaked().ifPresent(memoryNotes::add);
    }
  }

  /** What one session gave: its rows, or that it expired after so many. */
  private record Outcome(long rows, ApiException expired) {}

  /** One message from a stream's thread to the caller's. */
  private sealed interface Message {}

  /** A batch of the stream's rows, decoded. */
  private record Rows(List<Object[]> rows) implements Message {}

  /** A record batch of the stream's rows as the API sent it, Arrow IPC. */
  private record Batch(byte[] serialized) implements Message {}

  /** The stream ended. */
  private record End() implements Message {}

  /** The stream failed for good (a value qsync cannot carry, an error past its retries). */
  private record Failed(RuntimeException failure) implements Message {}

  /** The session expired under the stream. */
  private record Expired(ApiException error) implements Message {}

  /** The stream broke and is read again from its offset after {@code wait}. */
  private record Retrying(String kind, String what, int failedTries, Duration delay, String failure)
      implements Message {}

  /**
   * Why Arrow's C data interface cannot hand batches to DuckDB here: its JNI library (in its jar
   * for Linux and macOS on x86-64 and ARM64, and Windows on x86-64) does not load on this platform.
   */
  private static Optional<String> noCData() {
    try {
      JniLoader.get().ensureLoaded();
      return Optional.empty();
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("Arrow's C data library does not load here (" + e.getMessage() + ")");
    }
  }

  /** Reads one session's rows into {@code sink}, decoded in Java. */
  private Outcome readSession(
      BigQueryReadClient client,
      BufferAllocator allocator,
      TableId table,
      FieldList fields,
      List<Column> columns,
      RowSink sink)
      throws Refused {
    ReadSession session = createSession(client, table);
    try (Streams streams = readStreams(client, allocator, session, table, fields, columns, false)) {
      long read = 0;
      try {
        for (Message batch = streams.next(); batch != null; batch = streams.next()) {
          for (Object[] row : ((Rows) batch).rows()) {
            sink.accept(row);
          }
          read += ((Rows) batch).rows().size();
        }
        return new Outcome(read, null);
      } catch (SessionExpired expired) {
        return new Outcome(read, expired.error);
      }
    }
  }

  /**
   * Reads one session's rows into DuckDB as one Arrow C stream of the batches as they came, for one
   * insert: all rows or, when the session expires or a stream fails, none.
   */
  private Outcome readSession(
      BigQueryReadClient client,
      BufferAllocator allocator,
      TableId table,
      FieldList fields,
      List<Column> columns,
      ArrowStreamSink sink)
      throws Refused {
    ReadSession session = createSession(client, table);
    try (Streams streams = readStreams(client, allocator, session, table, fields, columns, true)) {
      if (streams.none()) {
        return new Outcome(0, null); // an empty table has no streams, and no batch
      }
      List<String> select = BigQueryArrowSql.select(fields, columns.size());
      BatchReader batches =
          new BatchReader(
              allocator,
              schema(session),
              streams,
              new BigQueryJavaColumns(
                  fields, columns, BigQueryArrowSql.renderedInJava(fields).keySet()));
      try {
        return new Outcome(insertArrow(allocator, batches, sink, select), null);
      } catch (RuntimeException e) {
        // DuckDB says only that the stream failed: the reason is the one the batches kept.
        RuntimeException failure = batches.failure();
        if (failure instanceof SessionExpired expired) {
          return new Outcome(0, expired.error);
        }
        if (failure != null) {
          failure.addSuppressed(e);
          throw failure;
        }
        throw e;
      }
    }
  }

  /**
   * Hands {@code batches} to {@code sink} as one Arrow C stream, for one insert, and returns the
   * rows it inserted. Takes {@code batches} over, and whatever happens they are closed (their
   * memory goes back to {@code allocator}): here while the stream is not made; once it is, by the
   * stream's release, which DuckDB calls when it took the stream and this calls when it did not
   * (the insert failed before DuckDB read from it). Closing the stream's own struct does not
   * release it.
   */
  static long insertArrow(
      BufferAllocator allocator, ArrowReader batches, ArrowStreamSink sink, List<String> select) {
    ArrowArrayStream stream = null;
    try {
      stream = ArrowArrayStream.allocateNew(allocator);
      Data.exportArrayStream(allocator, batches, stream);
    } catch (Throwable e) {
      // Arrow closes the batches when the export itself fails, not when it never began; closing
      // them again does nothing.
      try {
        batches.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      if (stream != null) {
        stream.close();
      }
      throw e;
    }
    try {
      return sink.insertArrow(stream, select);
    } finally {
      try {
        // DuckDB clears the release callback of a stream it took; a stream it never took still
        // owns the batches.
        if (stream.snapshot().release != 0) {
          stream.release();
        }
      } finally {
        stream.close();
      }
    }
  }

  /** The session expired under a stream: nothing to read in it any more. */
  private static final class SessionExpired extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ApiException error;

    SessionExpired(ApiException error) {
      super(error.getMessage(), error, false, false);
      this.error = error;
    }
  }

  /**
   * Starts reading every stream of {@code session}, each on a thread of a pool of at most {@code
   * read_streams}, and gives what they send, on the thread that asks. Closing stops them.
   */
  private Streams readStreams(
      BigQueryReadClient client,
      BufferAllocator allocator,
      ReadSession session,
      TableId table,
      FieldList fields,
      List<Column> columns,
      boolean asSent) {
    Schema schema = schema(session);
    List<ReadStream> streams = session.getStreamsList();
    this.streams = streams.size();
    int threads = Math.max(1, Math.min(streams.size(), config.readApi().streams()));
    BlockingQueue<Message> queue = new ArrayBlockingQueue<>(threads);
    AtomicInteger number = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "qsync-bigquery-read-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    for (int i = 0; i < streams.size(); i++) {
      String stream = streams.get(i).getName();
      String what =
          "read stream " + (i + 1) + " of " + streams.size() + " of " + BigQuerySource.name(table);
      pool.execute(
          () ->
              readStream(client, allocator, schema, stream, what, fields, columns, asSent, queue));
    }
    return new Streams(queue, streams.size(), pool, table, Thread.currentThread());
  }

  /**
   * The batches of a session's streams as their threads send them: each retry told on the way, a
   * failure thrown, an expired session thrown as {@link SessionExpired}. Whichever thread takes
   * them, one at a time ({@code next} is synchronized: DuckDB may ask from threads of its own).
   */
  private final class Streams implements AutoCloseable {
    private final BlockingQueue<Message> queue;
    private final int count;
    private final ExecutorService pool;
    private final TableId table;
    private final Thread caller;
    private int ended;

    Streams(
        BlockingQueue<Message> queue,
        int count,
        ExecutorService pool,
        TableId table,
        Thread caller) {
      this.queue = queue;
      this.count = count;
      this.pool = pool;
      this.table = table;
      this.caller = caller;
    }

    boolean none() {
      return count == 0;
    }

    /** The next batch ({@link Rows} or {@link Batch}), or null once every stream ended. */
    synchronized Message next() {
      try {
        while (ended < count) {
          Message message = queue.poll(100, TimeUnit.MILLISECONDS);
          if (message == null) {
            if (caller.isInterrupted()) {
              throw new InterruptedException();
            }
          } else if (message instanceof Rows || message instanceof Batch) {
            return message;
          } else if (message instanceof End) {
            ended++;
          } else if (message instanceof Failed failed) {
            throw failed.failure();
          } else if (message instanceof Expired expired) {
            throw new SessionExpired(expired.error());
          } else if (message instanceof Retrying retry) {
            calls.retrying(
                retry.kind(), retry.what(), retry.failedTries(), retry.delay(), retry.failure());
          }
        }
        return null;
      } catch (InterruptedException e) {
        if (Thread.currentThread() == caller) {
          Thread.currentThread().interrupt();
        }
        throw new QsyncException(
            ErrorKind.INTERRUPTED, "interrupted while reading " + BigQuerySource.name(table), e);
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The record batches of {@link Streams} as an Arrow stream, for DuckDB to pull through the C
   * stream interface; keeps what ended it early ({@link #failure}), since DuckDB passes on only its
   * message.
   */
  private static final class BatchReader extends ArrowReader {
    private final Schema schema;
    private final Streams streams;
    private final BigQueryJavaColumns inJava;

    /** The batch as the API sent it, before Java renders its columns: none when there are none. */
    private final VectorSchemaRoot sent;

    private volatile RuntimeException failure;

    BatchReader(
        BufferAllocator allocator, Schema schema, Streams streams, BigQueryJavaColumns inJava) {
      super(allocator);
      this.schema = inJava.schema(schema);
      this.streams = streams;
      this.inJava = inJava;
      this.sent = inJava.none() ? null : VectorSchemaRoot.create(schema, allocator);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      try {
        Message batch = streams.next();
        if (batch == null) {
          return false;
        }
        prepareLoadNextBatch();
        byte[] bytes = ((Batch) batch).serialized();
        try (ArrowRecordBatch records =
            MessageSerializer.deserializeRecordBatch(
                new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes)), allocator)) {
          if (sent == null) {
            loadRecordBatch(records);
          } else {
            new VectorLoader(sent).load(records);
            inJava.render(sent, getVectorSchemaRoot());
          }
        }
        return true;
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    RuntimeException failure() {
      return failure;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {
      if (sent != null) {
        sent.close();
      }
    }

    @Override
    protected Schema readSchema() {
      return schema;
    }
  }

  /**
   * Reads one stream to its end on a thread of the pool, putting each batch's rows on the queue,
   * and then its end; a break to be retried says so on the queue before the wait; a failure, or an
   * expired session, ends the stream with a message instead.
   *
   * @param what the stream, as the retry's line names it ({@code read stream 2 of 4 of ...})
   */
  private void readStream(
      BigQueryReadClient client,
      BufferAllocator parent,
      Schema schema,
      String stream,
      String what,
      FieldList fields,
      List<Column> columns,
      boolean asSent,
      BlockingQueue<Message> queue) {
    try (BufferAllocator allocator = parent.newChildAllocator(stream, 0, Long.MAX_VALUE);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      VectorLoader loader = new VectorLoader(root);
      long offset = 0;
      long firstFailure = 0;
      int failedTries = 0;
      Duration delay = config.retryDelay();
      while (true) {
        ServerStream<ReadRowsResponse> responses = null;
        try {
          responses =
              client
                  .readRowsCallable()
                  .call(
                      ReadRowsRequest.newBuilder().setReadStream(stream).setOffset(offset).build());
          for (ReadRowsResponse response : responses) {
            if (!response.hasArrowRecordBatch()) {
              continue;
            }
            if (asSent) {
              queue.put(
                  new Batch(
                      response.getArrowRecordBatch().getSerializedRecordBatch().toByteArray()));
              offset += response.getRowCount();
            } else {
              List<Object[]> rows = decode(response, allocator, loader, root, fields, columns);
              offset += rows.size();
              queue.put(new Rows(rows));
            }
            firstFailure = 0;
            failedTries = 0;
            delay = config.retryDelay();
          }
          queue.put(new End());
          return;
        } catch (ApiException e) {
          StatusCode.Code code = e.getStatusCode().getCode();
          if (code == StatusCode.Code.NOT_FOUND || code == StatusCode.Code.FAILED_PRECONDITION) {
            queue.put(new Expired(e));
            return;
          }
          long now = System.nanoTime();
          firstFailure = firstFailure == 0 ? now : firstFailure;
          failedTries++;
          Duration elapsed = Duration.ofNanos(now - firstFailure);
          if (!TRANSIENT.contains(code) || elapsed.plus(delay).compareTo(calls.retryLimit()) > 0) {
            queue.put(new Failed(failed(what, e)));
            return;
          }
          queue.put(
              new Retrying(
                  kind(code),
                  what + " from its row " + String.format(Locale.ROOT, "%,d", offset),
                  failedTries,
                  delay,
                  kind(code) + ": " + e.getMessage()));
          sleeper.sleep(delay);
          delay =
              delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
        } finally {
          if (responses != null) {
            responses.cancel();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the read was given up: the pool is shutting down
    } catch (RuntimeException e) {
      // A value qsync cannot carry (a BIGNUMERIC too wide), or Arrow refused the batch: the
      // caller fails the read with it. put, not offer: the queue may be full.
      try {
        queue.put(new Failed(e));
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A Storage Read API error as the run report counts it: {@code Storage Read API UNAVAILABLE}. */
  private static String kind(StatusCode.Code code) {
    return "Storage Read API " + code;
  }

  /** One record batch's rows, in qsync's Java types. */
  private static List<Object[]> decode(
      ReadRowsResponse response,
      BufferAllocator allocator,
      VectorLoader loader,
      VectorSchemaRoot root,
      FieldList fields,
      List<Column> columns) {
    byte[] bytes = response.getArrowRecordBatch().getSerializedRecordBatch().toByteArray();
    try (ArrowRecordBatch batch =
        MessageSerializer.deserializeRecordBatch(
            new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes)), allocator)) {
      loader.load(batch);
    } catch (IOException e) {
      throw new IllegalStateException("the Storage Read API sent a batch Arrow cannot read", e);
    }
    List<Object[]> rows = new ArrayList<>(root.getRowCount());
    for (int i = 0; i < root.getRowCount(); i++) {
      rows.add(BigQueryTypes.row(fields, columns, BigQueryArrowRows.row(root, fields, i)));
    }
    return rows;
  }

  private static Schema schema(ReadSession session) {
    byte[] bytes = session.getArrowSchema().getSerializedSchema().toByteArray();
    try {
      return MessageSerializer.deserializeSchema(
          new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes)));
    } catch (IOException e) {
      throw new IllegalStateException("the Storage Read API sent a schema Arrow cannot read", e);
    }
  }

  /** A read session in Arrow over the whole table, retried while BigQuery is unwell. */
  private ReadSession createSession(BigQueryReadClient client, TableId table) throws Refused {
    CreateReadSessionRequest request =
        CreateReadSessionRequest.newBuilder()
            .setParent("projects/" + config.project())
            .setReadSession(
                ReadSession.newBuilder()
                    .setTable(
                        "projects/"
                            + table.getProject()
                            + "/datasets/"
                            + table.getDataset()
                            + "/tables/"
                            + table.getTable())
                    .setDataFormat(DataFormat.ARROW))
            .setMaxStreamCount(config.readApi().streams())
            .build();
    long firstFailure = 0;
    int failedTries = 0;
    Duration delay = config.retryDelay();
    while (true) {
      try {
        return client.createReadSession(request);
      } catch (ApiException e) {
        StatusCode.Code code = e.getStatusCode().getCode();
        if (code == StatusCode.Code.PERMISSION_DENIED || code == StatusCode.Code.UNIMPLEMENTED) {
          throw new Refused(code + ": " + e.getMessage(), e);
        }
        long now = System.nanoTime();
        firstFailure = firstFailure == 0 ? now : firstFailure;
        failedTries++;
        String what = "create a read session over " + BigQuerySource.name(table);
        if (!TRANSIENT.contains(code)
            || Duration.ofNanos(now - firstFailure).plus(delay).compareTo(calls.retryLimit()) > 0) {
          throw failed(what, e);
        }
        calls.retrying(kind(code), what, failedTries, delay, kind(code) + ": " + e.getMessage());
        try {
          sleeper.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new QsyncException(
              ErrorKind.INTERRUPTED, "interrupted while waiting to retry", interrupted);
        }
        delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
      }
    }
  }

  private QsyncException failed(String what, ApiException e) {
    boolean passes = TRANSIENT.contains(e.getStatusCode().getCode());
    return new QsyncException(
        passes ? ErrorKind.FAILED : ErrorKind.NEEDS_ACTION,
        "BigQuery connection '"
            + config.name()
            + "': "
            + what
            + " with the Storage Read API failed: "
            + e.getStatusCode().getCode()
            + ": "
            + e.getMessage()
            + (passes
                ? "\nBigQuery, or the network to it, is having trouble (retried for retry_timeout);"
                    + " the next run reads the result table again without querying."
                : "\nNothing was written. Fix what BigQuery names, or set read_api: rest on the"
                    + " connection to read results with tabledata.list."),
        e);
  }

  private BigQueryReadClient client() {
    try {
      BigQueryReadSettings.Builder settings = BigQueryReadSettings.newBuilder();
      // Retries are this class's: counted, and resumed from the stream's offset.
      settings.createReadSessionSettings().setRetryableCodes(Set.of());
      settings.readRowsSettings().setRetryableCodes(Set.of());
      settings.setCredentialsProvider(
          credentials == null
              ? NoCredentialsProvider.create()
              : FixedCredentialsProvider.create(
                  credentials instanceof GoogleCredentials google
                      ? google.createScoped(BigQueryReadSettings.getDefaultServiceScopes())
                      : credentials));
      if (config.readApi().storageHost().isPresent()) {
        URI uri = URI.create(config.readApi().storageHost().get());
        boolean plaintext = "http".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : plaintext ? 80 : 443;
        InstantiatingGrpcChannelProvider.Builder channel =
            BigQueryReadSettings.defaultGrpcTransportProviderBuilder()
                .setEndpoint(uri.getHost() + ":" + port);
        if (plaintext) {
          channel.setChannelConfigurator(builder -> builder.usePlaintext());
        }
        settings.setTransportChannelProvider(channel.build());
      }
      return BigQueryReadClient.create(settings.build());
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "BigQuery connection '"
              + config.name()
              + "': cannot start the Storage Read API's client: "
              + e.getMessage()
              + "\nSet read_api: rest on the connection to read results with tabledata.list.",
          e);
    }
  }

  /**
   * How the rows reached the sink, for the read's reason: {@code ; Arrow into DuckDB}, {@code ;
   * Arrow into DuckDB, rendered in Java: big (BIGNUMERIC, ...)}, {@code ; decoded in Java: Arrow's
   * C data library does not load here (...)}, or nothing for a sink that takes rows only.
   */
  String how() {
    return how;
  }

  /** The streams of the last read session (0 for an empty table, which has none). */
  int streams() {
    return streams;
  }

  /**
   * What the run report says about this reader's sessions (its retries are counted with the
   * connection's calls).
   */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    if (sessionsCreatedAgain > 0) {
      notes.add(
          "created the Storage Read API's session anew "
              + Plural.of(sessionsCreatedAgain, "time")
              + " (it had expired)");
    }
    notes.addAll(memoryNotes);
    return notes;
  }
}
