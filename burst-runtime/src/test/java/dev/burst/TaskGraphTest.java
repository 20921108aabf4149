package dev.burst;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TaskGraphTest {
    private LocalCluster cluster;
    private Client client;

    @BeforeEach
    void start() {
        cluster = LocalCluster.builder().workers(2).build();
        client = Client.connect(cluster);
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void aDiamondRunsEachTaskOnceWithInputsInTheOrderNamed() throws Exception {
        TaskGraph g = TaskGraph.builder()
                .task("merge", in -> in.get(0) + "+" + in.get(1), "left", "right") // added before its inputs
                .task("source", in -> "s")
                .task("left", in -> "L(" + in.get(0) + ")", "source")
                .task("right", in -> "R(" + in.get(0) + ")", "source")
                .build();
        Map<String, TaskFuture<Object>> out = client.compute(g);
        assertThat(out).containsOnlyKeys("merge");
        assertThat(out.get("merge").get(10, TimeUnit.SECONDS)).isEqualTo("L(s)+R(s)");
        assertThat(out.get("merge").key()).startsWith("merge-");

        Map<String, TaskFuture<Object>> two = client.compute(g, "left", "source");
        assertThat(client.gather(List.copyOf(two.values()))).containsExactly("L(s)", "s");
    }

    @Test
    void aCycleIsRefusedByTheSchedulerNamingIt() {
        TaskGraph g = TaskGraph.builder()
                .task("a", in -> 1, "c")
                .task("b", in -> 2, "a")
                .task("c", in -> 3, "b")
                .task("d", in -> 4, "c")
                .build();
        TaskFuture<Object> d = client.compute(g).get("d");
        assertThatThrownBy(() -> d.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InvalidGraphException.class)
                .hasMessageContaining("dependency cycle")
                .hasMessageContaining("a-").hasMessageContaining("b-").hasMessageContaining("c-");
        TaskGraph loop = TaskGraph.builder().task("x", in -> 1, "y").task("y", in -> 2, "x").build();
        assertThatThrownBy(() -> client.gather(List.copyOf(client.compute(loop).values())))
                .isInstanceOf(TaskFailedException.class).cause().isInstanceOf(InvalidGraphException.class);
    }

    @Test
    void badGraphsAreNamedAtBuildTime() {
        assertThatThrownBy(() -> TaskGraph.builder().task("a", in -> 1, "missing").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task 'a' takes input 'missing', which is not a task of this graph");
        assertThatThrownBy(() -> TaskGraph.builder().task("a", in -> 1).task("a", in -> 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("task 'a' is added twice");
        assertThatThrownBy(() -> TaskGraph.builder().task("a", null))
                .isInstanceOf(NullPointerException.class).hasMessage("function of task 'a' must not be null");
        assertThatThrownBy(() -> TaskGraph.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one task");
        TaskGraph g = TaskGraph.builder().task("a", in -> 1).build();
        assertThatThrownBy(() -> client.compute(g, "b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output 'b' is not a task");
    }
}
