package org.epost.simulator.mail;

import java.util.List;
import java.util.Map;

/**
 * The figures of a mail run: {@code fields} become summary.json; {@code hourly} rows are (hour,
 * live nodes, messages sent, deliveries acknowledged, deliveries filed, deliveries waiting, PAST
 * bytes, pending-store bytes, Scribe bytes; counts and bytes cumulative except live nodes and
 * waiting); {@code onlineDelivery} and {@code returnDelivery} are the delivery delays at
 * percentiles 0..100 in seconds (empty without samples).
 */
public record MailSummary(
    Map<String, Object> fields,
    List<long[]> hourly,
    double[] onlineDelivery,
    double[] returnDelivery) {}
