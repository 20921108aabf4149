package dev.burst.internal.gateway.server;

/** The gateway's version, as {@code GET /api/version} reports it. */
final class Version {
    static final String VERSION = "0.1.0-SNAPSHOT";

    private Version() {
    }
}
