package dev.burst.spi;

import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.GatewayRoutes;

import java.util.Objects;

/**
 * Where a cluster's workers connect when its scheduler sits behind a gateway: the gateway's one
 * public port and the cluster's route there (the TLS server name the gateway routes by). Workers
 * then need that one port open, not the scheduler's; their data servers are still reached by their
 * own addresses, as Dask Gateway's workers are.
 *
 * @param address {@code burst://host:port} of the gateway
 * @param route   the cluster's route ({@link GatewayRoutes#checkRoute})
 */
public record WorkerEntrance(String address, String route) {
    public WorkerEntrance {
        Objects.requireNonNull(address, "a worker entrance needs the gateway's address");
        BurstAddress.parse(address); // named in its exception when bad
        GatewayRoutes.checkRoute(route);
    }
}
