package com.example.toybackend;

import dev.burst.Client;
import dev.burst.Cluster;
import dev.burst.ClusterUsage;
import dev.burst.TaskFuture;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;
import dev.burst.spi.ClusterBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A backend from outside {@code dev.burst}, found by name through the SPI, runs a map. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ToyBackendTest {

    @Test
    void backendsAreFoundByName() {
        assertThat(ClusterBackends.all()).extracting(ClusterBackend::name).contains("local", "toy");
        assertThat(ClusterBackends.require("toy")).isInstanceOf(ToyBackend.class);
        assertThatThrownBy(() -> ClusterBackends.require("nosuch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no cluster backend named 'nosuch'")
                .hasMessageContaining("local (").hasMessageContaining("toy (");
    }

    @Test
    void anUnknownSettingIsRefusedNamingTheKnownOnes() {
        BackendOptions options = BackendOptions.builder().setting("partition", "debug").build();
        assertThatThrownBy(() -> ClusterBackends.create("toy", options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no setting 'partition'").hasMessageContaining("greeting");
    }

    @Test
    void aToyBackendRunsAMapOnWorkersItStartedAndLeavesNoProcess() throws Exception {
        BackendOptions options = BackendOptions.builder().threadsPerWorker(1).memoryPerWorker("256m")
                .jobName("toy-map").recordUsage(false).setting("greeting", "hi").build();
        List<Integer> inputs = IntStream.range(0, 40).boxed().toList();
        ToyBackend.ToyPool pool;
        try (Cluster cluster = ClusterBackends.create("toy", options)) {
            pool = ToyBackend.POOLS.get(ToyBackend.POOLS.size() - 1);
            assertThat(cluster.name()).startsWith("burst-toy-");
            assertThat(cluster.address()).isPresent();
            cluster.adapt(0, 2);
            try (Client client = Client.connect(cluster)) {
                List<TaskFuture<Integer>> fs = client.map(x -> x * 3, inputs);
                assertThat(client.gather(fs)).isEqualTo(inputs.stream().map(x -> x * 3).toList());
            }
            assertThat(pool.everStarted).as("the toy pool started the workers").isNotEmpty().hasSizeLessThanOrEqualTo(4);
            ClusterUsage usage = cluster.usage();
            assertThat(usage.tasks()).isEqualTo(inputs.size());
            assertThat(usage.allocatedCoreSeconds()).as("allocated from the pool's events").isPositive();
            assertThat(usage.workersStarted()).isEqualTo(pool.everStarted.size());
        }
        assertThat(pool.everStarted).allSatisfy(p -> assertThat(p.isAlive()).as("worker process after close").isFalse());
    }
}
