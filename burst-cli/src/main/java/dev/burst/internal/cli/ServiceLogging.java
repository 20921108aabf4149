package dev.burst.internal.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log levels for long-running services ({@code burst scheduler}, {@code burst worker}): Burst's own
 * INFO lines (workers joining and leaving, clients connecting, refused connections) are what an
 * operator watches, whereas the interactive commands stay at WARN so progress bars stay clean.
 * {@code BURST_LOG_LEVEL} overrides both.
 */
final class ServiceLogging {
    private ServiceLogging() {
    }

    static void forService() {
        if (System.getenv("BURST_LOG_LEVEL") == null) {
            ((Logger) LoggerFactory.getLogger("dev.burst")).setLevel(Level.INFO);
        }
    }
}
