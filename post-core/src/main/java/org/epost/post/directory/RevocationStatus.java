package org.epost.post.directory;

/**
 * Counters of a node's revocation distribution (ADR 0109).
 *
 * @param version the version of the list held, or -1
 * @param installed newer lists installed (from a push, a read, or a publish here)
 * @param refusedStale lists refused for a version below the one held
 * @param refusedForged lists refused for a bad signature, another ring's key, a bad format or an
 *     out-of-bounds size, or a second list of the version held (an authority equivocation)
 * @param pushesReceived publications received on the revocation topic
 * @param pulls reads of the list from PAST
 * @param pullFailures reads that failed (PAST unavailable)
 * @param repairs inserts of the held list made because the ring served an older one or none
 * @param startWaitExpired starts whose first read did not complete within the start wait
 */
public record RevocationStatus(
    long version,
    long installed,
    long refusedStale,
    long refusedForged,
    long pushesReceived,
    long pulls,
    long pullFailures,
    long repairs,
    long startWaitExpired) {}
