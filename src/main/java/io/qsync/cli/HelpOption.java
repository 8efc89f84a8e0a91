package io.qsync.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h/--help} of a subcommand: its usage on stdout, exit 0, whatever else the line holds (a
 * missing SYNC included). Mixed into every subcommand; the top command has picocli's own.
 */
final class HelpOption {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;
}
