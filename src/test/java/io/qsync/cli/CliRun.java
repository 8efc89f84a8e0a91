package io.qsync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;

/**
 * One qsync command run in-process as a user runs it, without a terminal: its exit code and what it
 * printed on each stream.
 */
public record CliRun(int exitCode, String out, String err) {
  /** Both streams, for an assertion's description. */
  public String all() {
    return out + err;
  }

  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter outWriter = new PrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err)) {
      code = Main.execute(args, outWriter, errWriter, false, Clock.systemUTC());
    }
    return new CliRun(code, out.toString(), err.toString());
  }
}
