/**
 * The POST services' contracts: the single-copy message store, signed single-writer logs,
 * notification with offline delivery, and the user directory.
 *
 * <p>Threading: every service runs on its node's event loop. Call every method on the loop (from
 * another thread, through {@link org.epost.overlay.api.LoopBridge}); every returned stage completes
 * on the loop. Heavy work (encrypting and hashing blocks) runs off the loop through {@link
 * org.epost.overlay.api.OffLoopExecutor} and comes back before a stage completes.
 *
 * <p>Failures: stages complete exceptionally with a {@link org.epost.post.api.PostException}
 * subclass whose {@link org.epost.post.api.PostException#retryable()} says whether the same call
 * may succeed later unchanged.
 */
package org.epost.post.api;
