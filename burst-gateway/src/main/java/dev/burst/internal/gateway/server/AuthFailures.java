package dev.burst.internal.gateway.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refused authentications, logged once per source address and interval with how many there were,
 * so that a flood of bad tokens neither floods the log nor hides among good requests.
 */
final class AuthFailures {
    private static final Logger log = LoggerFactory.getLogger(AuthFailures.class);
    private static final int MAX_SOURCES = 10_000;

    private final InstantSource clock;
    private final Duration interval;
    private final Map<String, Window> bySource = new ConcurrentHashMap<>();

    AuthFailures(InstantSource clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    private static final class Window {
        Instant loggedAt;
        long unlogged;
    }

    /** Counts one refusal from {@code source}; logs it if this source was not logged within the interval. */
    void refused(String source, String why) {
        if (bySource.size() > MAX_SOURCES) {
            bySource.clear(); // bounded memory under a spray of addresses; at worst, some sources log again
        }
        Window w = bySource.computeIfAbsent(source, s -> new Window());
        Instant now = clock.instant();
        long count;
        synchronized (w) {
            w.unlogged++;
            if (w.loggedAt != null && Duration.between(w.loggedAt, now).compareTo(interval) < 0) {
                return;
            }
            count = w.unlogged;
            w.unlogged = 0;
            w.loggedAt = now;
        }
        log.warn("refused {} request(s) from {} since the last report: {}", count, source, why);
    }
}
