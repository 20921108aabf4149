package dev.burst.internal.sim;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.Transition;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the deterministic simulation over many seeds ({@code -Dburst.sim.seeds=N}, default 1000) and
 * fails with the seed, the broken invariant and the stories of the task involved. Replay one seed
 * with {@code -Dburst.sim.seed=N}.
 */
class SimulationTest {
    private static final Pattern KEY = Pattern.compile("\\b([a-z]+)-(\\d+)\\b");

    @Test
    void everySeedKeepsTheInvariants() {
        String one = System.getProperty("burst.sim.seed");
        if (one != null && !one.isBlank()) {
            SimulationStats stats = runOrFail(Long.parseLong(one.trim()));
            System.out.println("seed " + one + ": " + stats);
            return;
        }
        int seeds = Integer.getInteger("burst.sim.seeds", 1000);
        SimulationStats total = new SimulationStats();
        long start = System.nanoTime();
        for (long seed = 0; seed < seeds; seed++) {
            total.add(runOrFail(seed));
        }
        System.out.printf("simulation: %d seeds in %.1f s: %s%n", seeds, (System.nanoTime() - start) / 1e9, total);
        if (seeds >= 200) {
            // The runs must actually exercise what they claim to test.
            assertThat(total.executions).as("executions").isGreaterThan(0);
            assertThat(total.failures).as("task failures").isGreaterThan(0);
            assertThat(total.cancellations).as("cancelled executions").isGreaterThan(0);
            assertThat(total.deaths).as("worker deaths").isGreaterThan(0);
            assertThat(total.failedFetches).as("failed fetches").isGreaterThan(0);
            assertThat(total.recomputed).as("recomputed results").isGreaterThan(0);
            assertThat(total.invalidGraphs).as("invalid graphs").isGreaterThan(0);
            assertThat(total.reportsErred).as("erred reports").isGreaterThan(0);
            assertThat(total.workerLostErrors).as("worker-lost errors").isGreaterThan(0);
            assertThat(total.stalledReports).as("stalled reports").isGreaterThan(0);
            assertThat(total.clientsLeft).as("clients that left").isGreaterThan(0);
            assertThat(total.retired).as("retired workers").isGreaterThan(0);
            assertThat(total.keysCopied).as("results copied off retiring workers").isGreaterThan(0);
            assertThat(total.receipts).as("results clients said they hold").isGreaterThan(0);
            assertThat(total.keptForClients).as("lost results not recomputed for clients holding them").isGreaterThan(0);
            assertThat(total.revivedForDependents).as("such results recomputed for a later dependent").isGreaterThan(0);
            assertThat(total.stealsGranted).as("tasks moved by work stealing").isGreaterThan(0);
            assertThat(total.stealsRefused).as("steal requests refused (the task had started)").isGreaterThan(0);
        }
    }

    /**
     * The simulation at scale: {@code -Dburst.sim.scale=WORKERSxTASKS} (the figure is
     * 10000x1000000, about a minute and 6 GB of heap: out of CI); CI runs 200 workers and 20,000 tasks.
     */
    @Test
    void oneSeedAtScaleKeepsTheInvariants() {
        String spec = System.getProperty("burst.sim.scale", "200x20000");
        String[] parts = spec.toLowerCase(java.util.Locale.ROOT).split("x");
        Simulation.Scale scale = new Simulation.Scale(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        long seed = Long.getLong("burst.sim.scale.seed", 1);
        long start = System.nanoTime();
        Simulation sim = new Simulation(seed, scale);
        SimulationStats stats;
        try {
            stats = sim.run();
        } catch (Throwable t) {
            fail(report(sim, t), t);
            return;
        }
        System.out.printf("simulation at scale %s, seed %d: %.1f s: %s%n", spec, seed, (System.nanoTime() - start) / 1e9, stats);
        assertThat(stats.reportsErred).as("the graph finishes: retries and allowed failures cover the chaos").isZero();
        assertThat(stats.executions).as("every task ran").isGreaterThanOrEqualTo(stats.tasks);
        assertThat(stats.deaths).as("worker deaths").isGreaterThan(0);
        assertThat(sim.scheduler.workers()).as("workers at the end").hasSizeGreaterThan(scale.workers() / 2);
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[] {7, 42}) {
            assertThat(fingerprint(seed)).as("seed " + seed).isEqualTo(fingerprint(seed));
        }
        assertThat(fingerprint(7)).isNotEqualTo(fingerprint(42));
    }

    /** A hash of every step of the run of {@code seed}: when it happened and what it was. */
    private static String fingerprint(long seed) {
        Simulation sim = new Simulation(seed);
        sim.fingerprinting = true;
        SimulationStats stats = sim.run();
        return sim.fingerprint + " " + stats;
    }

    /** Runs one seed; on failure, fails with everything needed to understand and replay it. */
    static SimulationStats runOrFail(long seed) {
        Simulation sim = new Simulation(seed);
        try {
            return sim.run();
        } catch (Throwable t) {
            fail(report(sim, t), t);
            return null;
        }
    }

    private static String report(Simulation sim, Throwable t) {
        TaskKey key = t instanceof InvariantViolation v && v.key != null ? v.key : keyIn(t.getMessage(), sim.focus());
        StringBuilder sb = new StringBuilder();
        sb.append("simulation seed ").append(sim.seed).append(" failed (replay with -Dburst.sim.seed=").append(sim.seed)
                .append(")\n  phase: ").append(sim.phase()).append(", step ").append(sim.stats.steps)
                .append(", virtual time ").append(sim.timeline.now()).append(" ns\n  ")
                .append(t instanceof InvariantViolation v ? "invariant: " + v.invariant : "exception: " + t.getClass().getName())
                .append("\n  ").append(t.getMessage()).append("\n  while handling: ").append(sim.timeline.current())
                .append("\n  config: ").append(sim.config);
        if (key != null) {
            var spec = sim.workload.spec(key);
            sb.append("\n  task ").append(key).append(": ").append(spec);
            appendStories(sb, sim, key);
            if (spec != null) {
                for (TaskKey d : spec.dependencies()) {
                    sb.append("\n  -- its input ").append(d).append(':');
                    appendStories(sb, sim, d);
                }
            }
        }
        sb.append("\n  last steps:");
        for (Simulation.Step s : sim.trace) {
            sb.append("\n    ").append(s);
        }
        return sb.toString();
    }

    private static void appendStories(StringBuilder sb, Simulation sim, TaskKey key) {
        sb.append("\n  story of ").append(key).append(" on the scheduler:");
        for (Transition tr : sim.scheduler.story(key)) {
            sb.append("\n    ").append(tr);
        }
        for (SimulatedWorker w : sim.workers.values()) {
            var story = w.state.story(key);
            if (!story.isEmpty()) {
                sb.append("\n  story of ").append(key).append(" on ").append(w).append(':');
                for (Transition tr : story) {
                    sb.append("\n    ").append(tr);
                }
            }
        }
    }

    private static TaskKey keyIn(String message, TaskKey fallback) {
        if (message != null) {
            Matcher m = KEY.matcher(message);
            if (m.find()) {
                return new TaskKey(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return fallback;
    }
}
