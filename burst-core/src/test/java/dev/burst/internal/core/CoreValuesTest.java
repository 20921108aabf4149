package dev.burst.internal.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small values the state machines are built from. */
class CoreValuesTest {

    @Test
    void resourceAmountsRefuseBadValuesNamingThem() {
        assertThatThrownBy(() -> new ResourceAmounts(Map.of("gpu", -1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gpu'").hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new ResourceAmounts(Map.of("gpu", Double.NaN))).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new ResourceAmounts(Map.of("mem", Double.POSITIVE_INFINITY))).hasMessageContaining("'mem'");
        assertThatThrownBy(() -> new ResourceAmounts(Map.of(" ", 1.0))).hasMessageContaining("blank");
    }

    @Test
    void everyTaskOccupiesAtLeastOneCpuUnlessItSaysOtherwise() {
        assertThat(ResourceAmounts.NONE.withDefaultCpu()).isSameAs(ResourceAmounts.ONE_CPU);
        assertThat(ResourceAmounts.of(Map.of("gpu", 1.0)).withDefaultCpu())
                .isEqualTo(ResourceAmounts.of(Map.of("gpu", 1.0, "cpu", 1.0)));
        ResourceAmounts twoCpus = ResourceAmounts.of(Map.of("cpu", 2.0));
        assertThat(twoCpus.withDefaultCpu()).isSameAs(twoCpus);
    }

    @Test
    void aRequestFitsWhenEveryAmountItNamesIsAvailable() {
        ResourceAmounts worker = ResourceAmounts.of(Map.of("cpu", 4.0, "gpu", 1.0));
        assertThat(ResourceAmounts.of(Map.of("gpu", 1.0)).fitsIn(worker)).isTrue();
        assertThat(ResourceAmounts.of(Map.of("gpu", 2.0)).fitsIn(worker)).isFalse();
        assertThat(ResourceAmounts.of(Map.of("tpu", 1.0)).fitsIn(worker)).isFalse();
        assertThat(ResourceAmounts.ONE_CPU.fitsIn(ResourceAmounts.of(Map.of("gpu", 1.0)))).isFalse();
    }

    @Test
    void aResourcePoolHandsOutOnlyWhatIsFreeAndTakesItBack() {
        ResourcePool pool = new ResourcePool(ResourceAmounts.of(Map.of("cpu", 2.0, "gpu", 1.0)));
        ResourceAmounts gpuTask = ResourceAmounts.of(Map.of("cpu", 1.0, "gpu", 1.0));
        pool.acquire(gpuTask);
        assertThat(pool.fits(gpuTask)).isFalse();
        assertThat(pool.fits(ResourceAmounts.ONE_CPU)).isTrue();
        assertThatThrownBy(() -> pool.acquire(gpuTask)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not fit");
        pool.acquire(ResourceAmounts.ONE_CPU);
        assertThat(pool.freeCpu()).isZero();
        pool.release(gpuTask);
        pool.release(ResourceAmounts.ONE_CPU);
        assertThat(pool.snapshot()).isEqualTo(pool.total());
        // Fractions add back up to whole amounts, not to 0.9999...
        ResourceAmounts tenth = ResourceAmounts.of(Map.of("cpu", 0.1));
        for (int i = 0; i < 10; i++) {
            pool.acquire(tenth);
        }
        for (int i = 0; i < 10; i++) {
            pool.release(tenth);
        }
        assertThat(pool.fits(ResourceAmounts.of(Map.of("cpu", 2.0)))).isTrue();
    }

    @Test
    void theStoryLogKeepsOnlyTheMostRecentTransitions() {
        StoryLog log = new StoryLog(3);
        TaskKey a = new TaskKey("a", 1);
        TaskKey b = new TaskKey("b", 2);
        StimulusId s = new StimulusId("test", 1);
        log.record(a, null, Thread.State.NEW, s);
        log.record(b, null, Thread.State.NEW, s);
        log.record(a, Thread.State.NEW, Thread.State.RUNNABLE, s);
        log.record(a, Thread.State.RUNNABLE, Thread.State.TERMINATED, s);
        assertThat(log.story(a)).extracting(Transition::to).containsExactly(Thread.State.RUNNABLE, Thread.State.TERMINATED);
        assertThat(log.story(b)).hasSize(1);
        assertThat(log.story(a).get(1).seq()).isEqualTo(3);
        assertThatThrownBy(() -> new StoryLog(0)).hasMessageContaining(">= 1");
    }

    @Test
    void prioritiesOrderByUserPriorityThenSubmissionThenGraphOrder() {
        TaskPriority urgent = new TaskPriority(5, 9, 9);
        TaskPriority early = new TaskPriority(0, 1, 7);
        TaskPriority earlyFirstInGraph = new TaskPriority(0, 1, 2);
        TaskPriority late = new TaskPriority(0, 2, 0);
        TaskPriority background = new TaskPriority(-1, 0, 0);
        List<TaskPriority> list = new ArrayList<>(List.of(late, background, early, urgent, earlyFirstInGraph));
        list.sort(null);
        assertThat(list).containsExactly(urgent, earlyFirstInGraph, early, late, background);
    }
}
