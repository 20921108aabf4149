package dev.burst.internal.transport;

import dev.burst.internal.transport.GatewayRoutes.Target;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayRoutesTest {
    @Test
    void routesAreLowerCaseDnsNamesWithADot() {
        assertThat(GatewayRoutes.checkRoute("c-3f9a2b7c.cluster.burst")).isEqualTo("c-3f9a2b7c.cluster.burst");
        assertThat(GatewayRoutes.isRoute("a.b")).isTrue();
        assertThat(GatewayRoutes.isRoute(("a".repeat(63) + ".").repeat(2) + "burst")).isTrue();
        for (String bad : new String[] {null, "", "c-1", "C-1.cluster", "c_1.cluster", "-c.cluster", "c-.cluster",
                "c..cluster", "c.cluster.", ".c.cluster", "10.0.0.1", "w-1.cluster", "a".repeat(64) + ".b",
                ("a".repeat(60) + ".").repeat(3) + "burst", "c 1.cluster"}) {
            assertThat(GatewayRoutes.isRoute(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> GatewayRoutes.checkRoute(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Bad gateway route '" + bad + "'");
        }
        assertThatThrownBy(() -> GatewayRoutes.checkRoute("c-1")).hasMessageContaining("no dot");
        assertThatThrownBy(() -> GatewayRoutes.checkRoute("w-1.cluster")).hasMessageContaining("marks a worker");
    }

    @Test
    void aWorkerServerNameIsItsLabelBeforeTheRoute() {
        String name = GatewayRoutes.workerServerName(BurstAddress.parse("burst://127.0.0.1:41234"), "c-3f9a2b7c.cluster.burst");
        assertThat(name).isEqualTo("w-127-0-0-1-41234.c-3f9a2b7c.cluster.burst");
        assertThat(GatewayRoutes.parse(name)).isEqualTo(new Target.Worker(
                new WorkerRoute("127.0.0.1", 41234), "c-3f9a2b7c.cluster.burst"));
        assertThat(GatewayRoutes.parse(name.toUpperCase())).isEqualTo(GatewayRoutes.parse(name));
        // the longest worker label before the longest route is still a valid SNI host name
        String route = ("a".repeat(59) + ".").repeat(2) + "a".repeat(54) + ".burst";
        assertThat(route).hasSize(GatewayRoutes.MAX_ROUTE_LENGTH);
        String longest = "w-v6-ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff-65535." + route;
        assertThat(longest.length()).isLessThanOrEqualTo(253);
        assertThat(GatewayRoutes.parse(longest)).isInstanceOf(Target.Worker.class);
        assertThatThrownBy(() -> GatewayRoutes.workerServerName(BurstAddress.parse("127.0.0.1:1"), "nodot"))
                .hasMessageContaining("no dot");
    }

    @Test
    void parseTellsClustersWorkersAndNonsenseApart() {
        assertThat(GatewayRoutes.parse("c-1.cluster.burst")).isEqualTo(new Target.Cluster("c-1.cluster.burst"));
        assertThat(GatewayRoutes.parse("C-1.Cluster.Burst")).isEqualTo(new Target.Cluster("c-1.cluster.burst"));
        assertThat(GatewayRoutes.parse(null)).isInstanceOf(Target.Invalid.class);
        assertThat(GatewayRoutes.parse("localhost")).isInstanceOf(Target.Invalid.class);
        assertThat(((Target.Invalid) GatewayRoutes.parse("w-127-0-0-1-80"))).extracting(Target.Invalid::why)
                .asString().contains("no cluster route");
        assertThat(((Target.Invalid) GatewayRoutes.parse("w-127-0-0-1-80.nodot"))).extracting(Target.Invalid::why)
                .asString().contains("no dot");
        assertThat(((Target.Invalid) GatewayRoutes.parse("w-127-0-0-1-99999.c.burst"))).extracting(Target.Invalid::why)
                .asString().contains("not a port");
        assertThat(GatewayRoutes.parse("w-127-0-0-1-80.w-1.burst")).isInstanceOf(Target.Invalid.class);
    }
}
