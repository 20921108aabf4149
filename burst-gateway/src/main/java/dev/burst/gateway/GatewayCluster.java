package dev.burst.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.burst.RemoteCluster;
import dev.burst.internal.transport.ClusterCredentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Map;

/**
 * One of the caller's clusters on a gateway. {@code Client.connect(cluster)} runs tasks on it
 * through the gateway's one port. Closing it stops the cluster if this handle made it and it is
 * not detached; a handle from {@link Gateway#connect(String)} leaves it running.
 */
public final class GatewayCluster implements RemoteCluster, AutoCloseable {
    private final Gateway gateway;
    private final String name;
    private final String address;
    private final Path tokenFile;
    private final boolean stopOnClose;
    private volatile String message;
    private volatile boolean closed;

    GatewayCluster(Gateway gateway, JsonNode cluster, boolean stopOnClose) {
        this.gateway = gateway;
        this.name = cluster.path("name").asText();
        JsonNode conn = cluster.path("connection");
        this.address = conn.path("address").asText();
        this.stopOnClose = stopOnClose;
        this.message = Gateway.text(cluster.path("message"));
        this.tokenFile = writeTokenFile(gateway.home().resolve("gateways").resolve("clusters").resolve(name), conn);
    }

    private static Path writeTokenFile(Path dir, JsonNode conn) {
        try {
            Files.createDirectories(dir);
            return ClusterCredentials.writeClientTokenFile(dir.resolve("token"), conn.path("token").asText(),
                    conn.path("certificateSha256").asText(), conn.path("route").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's token file in " + dir, e);
        }
    }

    /** The cluster's name on the gateway. */
    public String name() {
        return name;
    }

    /** The gateway's {@code burst://host:port}: clients reach the cluster there, routed by its name. */
    @Override
    public String address() {
        return address;
    }

    /** The private file with the cluster's token, certificate pin and route. */
    @Override
    public Path tokenFile() {
        return tokenFile;
    }

    /** Keeps exactly {@code n} workers; returns how many the gateway granted (fewer when a limit binds). */
    public int scale(int n) {
        JsonNode answer = gateway.call("POST", "/api/v1/clusters/" + name + "/scale", Map.of("count", n));
        message = Gateway.text(answer.path("message"));
        return answer.path("granted").asInt();
    }

    /** Workers come and go with the work between {@code minimum} and {@code maximum}; returns the maximum granted. */
    public int adapt(int minimum, int maximum) {
        JsonNode answer = gateway.call("POST", "/api/v1/clusters/" + name + "/adapt", Map.of("minimum", minimum, "maximum", maximum));
        message = Gateway.text(answer.path("message"));
        return answer.path("maximum").asInt();
    }

    /** The gateway's message about this cluster's create, or its last scale or adapt (why fewer workers were granted), or null. */
    public String lastMessage() {
        return message;
    }

    /** The cluster as the gateway reports it now (its figures read from the cluster at this call). */
    public GatewayClusterInfo info() {
        return gateway.info(gateway.call("GET", "/api/v1/clusters/" + name, null));
    }

    /**
     * The cluster's dashboard, relayed by the gateway (a browser signs in to the gateway first), or
     * empty while the cluster has none (it stopped, or its dashboard is off).
     */
    public Optional<URI> dashboard() {
        return closed ? Optional.empty() : Optional.ofNullable(info().dashboard());
    }

    /**
     * Stops the cluster now, whoever made this handle, and returns it as stopped, with its final
     * usage; null if this handle had stopped it already.
     */
    public GatewayClusterInfo stop() {
        if (closed) {
            return null;
        }
        closed = true;
        try {
            return gateway.info(gateway.call("DELETE", "/api/v1/clusters/" + name, null));
        } finally {
            deleteTokenFile();
        }
    }

    private void deleteTokenFile() {
        try {
            Files.deleteIfExists(tokenFile);
            Files.deleteIfExists(tokenFile.getParent());
        } catch (IOException ignored) {
            // a leftover token of a stopped cluster opens nothing
        }
    }

    /**
     * Stops the cluster if this handle made it and it is not detached; a cluster stopped already (on
     * the gateway's page, or reclaimed) is left as it is.
     */
    @Override
    public void close() {
        if (stopOnClose) {
            try {
                stop();
            } catch (GatewayException e) {
                if (e.status() != 409) {
                    throw e;
                }
                // stopped already (by its user on the gateway's page, or reclaimed): closing asks nothing more
            }
        } else {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "GatewayCluster{" + name + " at " + gateway.uri() + "}";
    }
}
