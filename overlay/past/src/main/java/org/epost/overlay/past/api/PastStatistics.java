package org.epost.overlay.past.api;

/**
 * Counters of one PAST node since it started. Read on the node's loop (or after a simulation step).
 *
 * @param corruptionsDetected copies received (by a reader or a storer) that failed verification
 * @param repairObjectsSent objects this node pushed to a replica that lacked them (maintenance)
 * @param repairBytesSent object bytes of those pushes (the objects' own bytes, no message headers)
 * @param digestMessagesSent digest (sync) messages sent
 * @param digestBytesSent payload bytes of digest messages
 * @param refusedStores stores refused (invalid, stale, or quota full)
 * @param objectsCollected objects deleted because their lease expired or the node left their range
 * @param auditMessagesSent possession challenges and answers sent
 * @param auditBytesSent payload bytes of those
 * @param auditFailures neighbours caught lying by an audit (a wrong proof, or "not held" twice)
 * @param availabilityRepairObjectsSent the part of {@code repairObjectsSent} pushed by availability
 *     repair (too few holders online, ADR 0083) rather than to replace holders presumed gone for
 *     good
 * @param availabilityRepairBytesSent object bytes of those (a part of {@code repairBytesSent})
 */
public record PastStatistics(
    long corruptionsDetected,
    long repairObjectsSent,
    long repairBytesSent,
    long digestMessagesSent,
    long digestBytesSent,
    long refusedStores,
    long objectsCollected,
    long auditMessagesSent,
    long auditBytesSent,
    long auditFailures,
    long availabilityRepairObjectsSent,
    long availabilityRepairBytesSent) {}
