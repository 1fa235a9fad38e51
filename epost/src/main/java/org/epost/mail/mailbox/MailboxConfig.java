package org.epost.mail.mailbox;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an account runs. Every field has a default ({@link #defaults(String)}).
 *
 * @param device this node's device id, as given to {@code PostNode.attach} (the logs' writer)
 * @param callTimeoutMillis how long a blocking caller (the IMAP session) waits for the ring
 * @param maxMessageBytes largest message stored (the spool refuses more)
 * @param indexMaxEntries messages the metadata index on disk keeps at most (least recently used
 *     leave; they are rebuilt from the ring when listed again)
 * @param expungeHistory expunged UIDs each folder remembers for {@code changesSince}
 * @param executorThreads threads of the account's executor (where stages complete)
 * @param maxFolders folders an account holds at most
 */
public record MailboxConfig(
    String device,
    long callTimeoutMillis,
    long maxMessageBytes,
    int indexMaxEntries,
    int expungeHistory,
    int executorThreads,
    int maxFolders) {
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._-]{1,24}");

  public MailboxConfig {
    Objects.requireNonNull(device, "device");
    if (!DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("device id must be 1..24 of [A-Za-z0-9._-]: " + device);
    }
    if (callTimeoutMillis <= 0
        || maxMessageBytes <= 0
        || indexMaxEntries < 16
        || expungeHistory < 1
        || executorThreads < 1
        || maxFolders < 6) {
      throw new IllegalArgumentException("mailbox configuration out of range");
    }
  }

  /**
   * Defaults: 30 s calls, 64 MiB messages, 200,000 indexed messages, 10,000 remembered expunges per
   * folder, 2 threads, 1,000 folders.
   */
  public static MailboxConfig defaults(String device) {
    return new MailboxConfig(device, 30_000, 64L << 20, 200_000, 10_000, 2, 1000);
  }
}
