package dev.burst.internal.gateway.server;

import dev.burst.Client;
import dev.burst.TaskFuture;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayException;
import dev.burst.gateway.GatewayUsage;
import dev.burst.gateway.GatewayUser;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java {@code Gateway} client as a user meets it: a maximum over their limits clamped and said,
 * a fixed size refused with what to ask for, a cluster's figures current right after a gather (the
 * gateway here polls its clusters once an hour, so only a read at the request can be current), its
 * dashboard's link, and {@code me()} / {@code usage()} as records.
 */
class GatewayJavaClientTest {
    @TempDir
    static Path dir;
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = new TestGateway(dir, b -> b.pollInterval(Duration.ofHours(1)));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void limitsClampAnAdaptiveMaximumInfoIsCurrentAfterAGatherAndMeAndUsageAreRecords() throws Exception {
        String token = gw.addUser("ida", new Limits(null, 2, null, null, null, null), new Budget(5000.0, null, null));
        try (Gateway g = gw.connect(token)) {
            assertThatThrownBy(() -> g.newCluster(ClusterOptions.builder().workers(4).threads(1).build()))
                    .isInstanceOf(GatewayException.class)
                    .hasMessageContaining("4 workers asked for, 2 fit").hasMessageContaining("ask for at most 2 workers")
                    .hasMessageContaining("adaptive up to 4");

            try (GatewayCluster c = g.newCluster(ClusterOptions.builder().adapt(0, 20).threads(1).build());
                 Client client = Client.connect(c)) {
                assertThat(c.lastMessage()).startsWith("maximum clamped: 20 workers asked for, 2 fit").contains("max-cores 2");
                assertThat(c.info().maxWorkers()).isEqualTo(2);
                assertThat(c.dashboard()).contains(URI.create(gw.server.url() + "/clusters/" + c.name() + "/"));

                List<TaskFuture<Integer>> fs = client.map(x -> x * 2, IntStream.range(0, 100).boxed().toList());
                assertThat(client.gather(fs)).hasSize(100);
                assertThat(c.info().tasks()).as("the figures are read at the request, not at the last poll").isEqualTo(100);

                GatewayUser me = g.me();
                assertThat(me.name()).isEqualTo("ida");
                assertThat(me.admin()).isFalse();
                assertThat(me.limits().maxCores()).isEqualTo(2);
                assertThat(me.limits().maxClusters()).isNull();
                assertThat(me.budget().isSet()).isTrue();
                assertThat(me.budget().coreSeconds()).isEqualTo(5000.0);
                assertThat(me.clusters()).isEqualTo(1);
            }
            GatewayUsage usage = g.usage(7);
            assertThat(usage.user()).isEqualTo("ida");
            assertThat(usage.clusters()).singleElement().satisfies(u -> {
                assertThat(u.state()).isEqualTo("stopped");
                assertThat(u.stopReason()).isEqualTo("user");
                assertThat(u.usage().tasks()).isEqualTo(100);
            });
            assertThat(usage.total().tasks()).isEqualTo(100);
            assertThat(usage.days()).singleElement().satisfies(d -> assertThat(d.usage().tasks()).isEqualTo(100));
            assertThatThrownBy(() -> g.usage(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("days");
        }
    }
}
