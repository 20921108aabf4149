package dev.burst;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input gets an exception that names the problem, at the public entry point. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadInputTest {

    @Test
    void negativeWorkersAndBadAdaptiveBounds() {
        assertThatThrownBy(() -> LocalCluster.builder().workers(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("workers must be >= 0, got -1");
        try (LocalCluster cluster = LocalCluster.builder().workers(0).build()) {
            assertThatThrownBy(() -> cluster.adapt(3, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("maximum (2) must be >= minimum (3)");
            assertThatThrownBy(() -> cluster.adapt(-1, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("minimum must be >= 0, got -1");
            assertThatThrownBy(() -> cluster.adapt(0, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("maximum must be >= 1, got 0");
        }
        assertThatThrownBy(() -> LocalCluster.builder().threadsPerWorker(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threadsPerWorker");
    }

    @Test
    void nullFunctionAndNullInputs() {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).build(); Client client = Client.connect(cluster)) {
            assertThatThrownBy(() -> client.submit((TaskCallable<Integer>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("function must not be null");
            assertThatThrownBy(() -> client.map((TaskFunction<Integer, Integer>) null, List.of(1)))
                    .isInstanceOf(NullPointerException.class).hasMessage("function must not be null");
            assertThatThrownBy(() -> client.map(x -> x, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("inputs must not be null");
            assertThatThrownBy(() -> Delayed.call(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("function must not be null");
        }
    }

    @Test
    void submitAfterClose() {
        LocalCluster cluster = LocalCluster.builder().workers(1).build();
        Client client = Client.connect(cluster);
        client.close();
        assertThatThrownBy(() -> client.submit(() -> 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("client was closed");
        cluster.close();
        assertThatThrownBy(() -> Client.connect(cluster))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    @Test
    void badOptions() {
        assertThatThrownBy(() -> TaskOptions.builder().retries(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retries must be >= 0, got -1");
        assertThatThrownBy(() -> Resources.of("gpu", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gpu'");
        assertThatThrownBy(() -> TaskOptions.builder().name("two words"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> LocalCluster.builder().resources(Resources.of("cpu", 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threadsPerWorker");
    }

    @Test
    void futureOfAnotherClientCannotBeAnInput() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).build();
             Client a = Client.connect(cluster); Client b = Client.connect(cluster)) {
            TaskFuture<Integer> f = a.submit(() -> 1);
            assertThatThrownBy(() -> b.submit(x -> x, f))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another client");
        }
    }
}
