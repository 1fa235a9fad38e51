/**
 * Content-hash (convergent) encryption for single-copy storage (ADR 0013).
 *
 * <p>Start with {@link org.epost.crypto.content.ConvergentEncryption}. Block layout, key derivation
 * and the manifest format are documented there and in ADR 0013.
 */
package org.epost.crypto.content;
