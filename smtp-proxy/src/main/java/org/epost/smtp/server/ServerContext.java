package org.epost.smtp.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SubmissionBackend;

/** What every session of one listener shares. All members are thread-safe. */
record ServerContext(
    SmtpServerConfig config,
    SubmissionBackend backend,
    Optional<RelayQueue> relay,
    BackendCaller backendCaller,
    ClientRateLimiter rateLimiter,
    AuthThrottle authThrottle,
    Clock clock,
    Path spoolDirectory) {}
