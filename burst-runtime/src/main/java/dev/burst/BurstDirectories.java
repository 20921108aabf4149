package dev.burst;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where Burst keeps its files, known in this one place: {@code $BURST_HOME}, or {@code ~/.burst}
 * without it. Read from the environment once by whoever starts Burst ({@link #fromEnvironment()})
 * and passed on, never rebuilt deep inside; a test or a gateway gives its own.
 *
 * @param home the root; everything below is derived from it
 */
public record BurstDirectories(Path home) {
    /** The environment variable that moves Burst's home. */
    public static final String BURST_HOME = "BURST_HOME";

    public BurstDirectories {
        Objects.requireNonNull(home, "home must not be null");
    }

    /** {@code $BURST_HOME} if set, else {@code ~/.burst}. */
    public static BurstDirectories fromEnvironment() {
        return from(System.getenv(), System.getProperty("user.home"));
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

    /** The TLS identity shared by this user's local clusters (each still gets a fresh token). */
    public Path localIdentity() {
        return home.resolve("local-identity");
    }
}
