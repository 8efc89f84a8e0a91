package io.qsync.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code qsync demo}: the embedded quickstart. */
@Command(name = "demo", description = "Runs the quickstart on an embedded warehouse.")
final class DemoCommand implements Callable<Integer> {
  DemoCommand(CliContext context) {}

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("the demo is being written");
  }
}
