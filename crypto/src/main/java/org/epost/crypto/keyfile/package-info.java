/**
 * Private keys at rest: passphrase-wrapped key files (scrypt + AES-256-GCM), written atomically
 * with owner-only permissions ({@link org.epost.crypto.keyfile.KeyFiles}, ADR 0015).
 */
package org.epost.crypto.keyfile;
