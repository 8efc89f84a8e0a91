package io.qsync.serve;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What {@code /metrics} answers with: the service's metrics in a Prometheus format. Thread-safe.
 */
public interface MetricsExposition {
  /** The content type of the answer to a request with this {@code Accept} header (may be null). */
  String contentType(String accept);

  /** Writes the current metrics, in the format {@link #contentType} named. */
  void write(OutputStream out, String accept) throws IOException;
}
