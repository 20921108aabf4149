package dev.burst.internal.transport;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The TLS identity of clusters of local processes. Generating a certificate with keytool costs
 * 1–4 s, so one identity per user is made once ({@code <burst home>/local-identity}, see {@link dev.burst.BurstDirectories}) and copied into
 * each cluster's directory; every cluster still gets a fresh token of its own, so a token never
 * opens another cluster.
 */
public final class LocalIdentity {
    private LocalIdentity() {
    }

    /** Credentials for a new local cluster whose files live in {@code clusterDir}. */
    public static synchronized ClusterCredentials credentials(Path clusterDir) throws IOException {
        // synchronized: two clusters of one JVM would otherwise both take the file lock (an error)
        Path shared = dev.burst.BurstDirectories.fromEnvironment().localIdentity();
        Files.createDirectories(shared);
        try (FileChannel lockFile = FileChannel.open(shared.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (!Files.exists(shared.resolve(ClusterCredentials.KEY_STORE_FILE))) {
                ClusterCredentials.forScheduler(shared); // generates the key store once
            }
            Path dir = clusterDir.resolve("credentials");
            Files.createDirectories(dir);
            for (String f : new String[] {ClusterCredentials.KEY_STORE_FILE, ClusterCredentials.PASSWORD_FILE}) {
                Files.copy(shared.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            return ClusterCredentials.forScheduler(dir);
        }
    }
}
