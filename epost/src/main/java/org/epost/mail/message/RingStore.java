package org.epost.mail.message;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.post.api.MessageRef;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoredMessage;

/**
 * The message store as the email application's threads use it: {@link
 * org.epost.post.api.MessageStore}'s calls, safe from any thread, with stages that complete off the
 * node's loop ({@link BridgedRingStore} is the real one: it crosses onto the loop through the
 * node's bridge).
 */
public interface RingStore {
  /** {@link org.epost.post.api.MessageStore#store}. */
  CompletionStage<StoredMessage> store(List<PartInput> parts);

  /** {@link org.epost.post.api.MessageStore#open}. */
  CompletionStage<OpenedMessage> open(MessageRef ref);

  /** {@link org.epost.post.api.MessageStore#read}: at most {@code MAX_READ_BYTES}. */
  CompletionStage<byte[]> read(PartRef part, long offset, int length);
}
