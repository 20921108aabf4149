package dev.burst;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where Burst keeps its files, known in this one place: {@code $BURST_HOME}, or {@code ~/.burst}
 * without it, or a folder of the user's in the temporary directory when there is no home at all
 * (a container user without a passwd entry). Every path below Burst's home is derived here, never
 * spelled out elsewhere.
 *
 * @param home the root; everything below is derived from it
 */
public record BurstDirectories(Path home) {
    /** The environment variable that moves Burst's home. */
    public static final String BURST_HOME = "BURST_HOME";

    public BurstDirectories {
        Objects.requireNonNull(home, "home must not be null");
    }

    /** {@code $BURST_HOME} if set, else {@code ~/.burst}, else {@code <tmpdir>/burst-<user>} when there is no home. */
    public static BurstDirectories fromEnvironment() {
        try {
            return from(System.getenv(), System.getProperty("user.home"));
        } catch (IllegalStateException noHome) {
            return new BurstDirectories(Path.of(System.getProperty("java.io.tmpdir"), "burst-" + System.getProperty("user.name", "user")));
        }
    }

    /**
     * {@code environment}'s {@code BURST_HOME} if set, else {@code userHome/.burst}.
     *
     * @throws IllegalStateException if neither is there
     */
    public static BurstDirectories from(Map<String, String> environment, String userHome) {
        String burstHome = environment.get(BURST_HOME);
        if (burstHome != null && !burstHome.isBlank()) {
            return new BurstDirectories(Path.of(burstHome));
        }
        if (userHome == null || userHome.isBlank() || userHome.equals("?")) {
            throw new IllegalStateException("no home directory for Burst's files; set " + BURST_HOME);
        }
        return new BurstDirectories(Path.of(userHome, ".burst"));
    }

    /** The usage ledger ({@code ledger.jsonl}), read by {@code burst usage}. */
    public Path usage() {
        return home.resolve("usage");
    }

    /** Token files of schedulers started by hand ({@code burst scheduler}), one folder per address. */
    public Path schedulers() {
        return home.resolve("schedulers");
    }

    /** Slurm clusters' files (token, job scripts, logs), which compute nodes must see. */
    public Path slurm() {
        return home.resolve("slurm");
    }

    /** Caches: jar hashes, class-data archives, jars received from clients. */
    public Path cache() {
        return home.resolve("cache");
    }

    /** Reports of finished runs ({@code burst demo}'s), which outlive the dashboard that closes with the cluster. */
    public Path reports() {
        return home.resolve("reports");
    }

    /** The TLS identity shared by this user's local clusters (each still gets a fresh token). */
    public Path localIdentity() {
        return home.resolve("local-identity");
    }
}
