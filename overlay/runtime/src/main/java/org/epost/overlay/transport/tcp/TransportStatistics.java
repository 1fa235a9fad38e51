package org.epost.overlay.transport.tcp;

/**
 * A snapshot of a {@link TcpTransport}'s counters, safe to read from any thread.
 *
 * @param framesSent frames handed to the network
 * @param framesReceived frames accepted and posted to the node's loop
 * @param openConnections connections open now
 * @param handshakeFailures connections refused because TLS failed or the peer could not prove a
 *     node id (garbage bytes, wrong certificate, silence, slow handshake); not those closed to make
 *     room ({@code evictedHandshakes})
 * @param rejectedFrames frames refused: over the size bound, unknown version or type, out of order
 * @param identityMismatches frames whose sender id is not the id the connection proved
 * @param truncatedFrames connections that closed in the middle of a frame
 * @param slowFrames connections closed because a frame did not complete in time
 * @param droppedQueueFull frames dropped because the peer's outbound queue was full
 * @param refusedConnections inbound connections closed at once, before TLS: over the connection
 *     cap, over the handshake budget or over the per-address handshake limit (ADR 0097)
 * @param idleClosed connections closed for idleness
 * @param unexpectedPeers outbound connections closed after the handshake because the peer proved an
 *     id other than the one the sender expected at that address (ADR 0060); the frames queued for
 *     it are dropped, never sent
 * @param handshakingConnections inbound connections open now that have not finished TLS and hello
 *     (part of {@code openConnections}; counted against the handshake budget only)
 * @param refusedOverAddressLimit of {@code refusedConnections}, those refused because their address
 *     already had its limit of handshaking connections
 * @param evictedHandshakes handshaking connections closed after their grace second to make room for
 *     a newcomer when the handshake budget was full
 */
public record TransportStatistics(
    long framesSent,
    long framesReceived,
    int openConnections,
    long handshakeFailures,
    long rejectedFrames,
    long identityMismatches,
    long truncatedFrames,
    long slowFrames,
    long droppedQueueFull,
    long refusedConnections,
    long idleClosed,
    long unexpectedPeers,
    int handshakingConnections,
    long refusedOverAddressLimit,
    long evictedHandshakes) {}
