package io.qsync.engine;

/**
 * One table {@code qsync prune} dropped, or would drop.
 *
 * @param location the state dataset (or schema) holding it
 * @param table the table's name
 * @param reason why no sync needs it
 * @param dropped whether it was dropped (false for {@code --dry-run})
 */
public record PruneReport(String location, String table, String reason, boolean dropped) {}
