/**
 * Sealing small payloads to a recipient's X25519 key with the sender's signature inside ({@link
 * org.epost.crypto.seal.Sealer}, ADR 0014) and rejecting replays ({@link
 * org.epost.crypto.seal.ReplayDetector}).
 */
package org.epost.crypto.seal;
