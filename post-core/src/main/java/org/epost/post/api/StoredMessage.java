package org.epost.post.api;

/**
 * What {@link MessageStore#store} produced: the reference, the lease it was stored with and what it
 * cost.
 *
 * @param ref the message's reference
 * @param expiryWallMillis the lease expiry every block was inserted with (a wall time, epoch ms)
 * @param blocks PAST objects the message occupies (message block, interior blocks, leaves)
 * @param storedBytes the blocks' stored bytes (ciphertext and headers), one replica's worth
 * @param plainBytes the parts' bytes as given
 */
public record StoredMessage(
    MessageRef ref, long expiryWallMillis, int blocks, long storedBytes, long plainBytes) {}
