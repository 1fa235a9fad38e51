package org.epost.simulator.storage;

import java.util.List;
import java.util.Map;

/**
 * The figures of a storage run: {@code fields} become summary.json; {@code hourly} rows are (hour,
 * live nodes, lookups, failed lookups, cumulative repair bytes, objects with no live honest
 * replica, average live honest replicas x 1000, cumulative availability-repair bytes).
 */
public record StorageSummary(Map<String, Object> fields, List<long[]> hourly) {}
