/**
 * The ring authority: issuing user and node certificates and revocation lists ({@link
 * org.epost.crypto.cert.RingAuthority}), and checking them ({@link
 * org.epost.crypto.cert.CertificateVerifier}). The certificate formats themselves are value types
 * in {@code org.epost.crypto.api}.
 */
package org.epost.crypto.cert;
