package org.epost.simulator.api;

/**
 * Figures for one simulated minute of the measurement phase. Lookups belong to the minute they were
 * issued in; control messages to the minute they were sent in.
 *
 * @param minute index of the minute, 0 = first minute of measurement
 * @param lookups lookups issued
 * @param lost lookups not delivered within the timeout
 * @param wrongRoot lookups delivered to a node that was not the closest live node to the key
 * @param hopsAvg mean hops of delivered lookups, NaN if none
 * @param rdpRatioOfMeans sum of route latencies over sum of direct latencies, NaN if none
 * @param controlMessages non-lookup frames sent during the minute
 * @param liveNodes ring members at the end of the minute
 */
public record MinuteSample(
    int minute,
    long lookups,
    long lost,
    long wrongRoot,
    double hopsAvg,
    double rdpRatioOfMeans,
    long controlMessages,
    int liveNodes) {}
