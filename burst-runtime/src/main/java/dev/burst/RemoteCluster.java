package dev.burst;

import java.nio.file.Path;

/**
 * A cluster this JVM did not start, such as one a Burst gateway runs for its user: what
 * {@link Client#connect(RemoteCluster)} needs to reach it.
 */
public interface RemoteCluster {
    /** Where its scheduler is reached: {@code burst://host:port} (a gateway's one port for a gateway cluster). */
    String address();

    /** The private file holding the cluster's token and certificate pin (and, through a gateway, its route). */
    Path tokenFile();
}
