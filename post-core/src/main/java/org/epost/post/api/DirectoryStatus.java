package org.epost.post.api;

/**
 * Counters of one node's directory since it started.
 *
 * @param lookups lookups asked of the directory (cache hits included)
 * @param cacheHits lookups answered from the cache of verified entries
 * @param ringReads quorum reads of directory entries from PAST
 * @param notFound lookups answered "no such user" (after a quorum)
 * @param unavailable lookups that failed as unavailable
 * @param forgedEntries entries refused as not issued by the authority for the address (PAST's own
 *     count of copies whose signature or id failed is in its statistics)
 * @param revokedRefused lookups refused because the certificate is revoked
 * @param rollbacksRejected entries older than this node's high-water mark, refused
 * @param cacheEvictions cached entries dropped because a revocation (entry status or list) was seen
 * @param sendersVerified senders whose claimed key matched a valid certificate
 * @param sendersForged senders rejected as forged
 * @param sendersRevoked senders rejected as revoked or expired
 * @param revocationListVersion the version of the newest revocation list held, -1 if none
 * @param cached entries in the cache now
 */
public record DirectoryStatus(
    long lookups,
    long cacheHits,
    long ringReads,
    long notFound,
    long unavailable,
    long forgedEntries,
    long revokedRefused,
    long rollbacksRejected,
    long cacheEvictions,
    long sendersVerified,
    long sendersForged,
    long sendersRevoked,
    long revocationListVersion,
    int cached) {}
