package dev.burst.internal.gateway.proxy;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where the proxy sends a TLS connection, by the server name (SNI) its client asked for.
 *
 * <p>Called once per connection, on that connection's thread, with the name lower-cased; it must
 * be thread-safe and quick (no network calls). Empty sends the connection to the gateway's own
 * HTTPS server, so an unknown name is never an error. The table is where security is decided: it
 * must answer only for names that belong to a running cluster, and for a worker name
 * ({@code w-<host>-<port>.<route>}, see {@link dev.burst.internal.transport.GatewayRoutes#parse})
 * only with an address that is one of that cluster's own workers, or the proxy becomes an open
 * relay into the cluster network.
 */
@FunctionalInterface
public interface RouteTable {
    /** The backend for {@code serverName} (lower case), or empty for the fallback. */
    Optional<InetSocketAddress> route(String serverName);
}
