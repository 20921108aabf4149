package dev.burst.internal.cli;

import java.util.SplittableRandom;

/**
 * The demo's workload: a Monte-Carlo estimate of π. Each task throws {@code samples} random points
 * at the unit square, seeded by its index, and counts those inside the quarter circle — real
 * arithmetic, deterministic per seed, so the result does not depend on where a task ran.
 */
final class MonteCarloPi {
    private MonteCarloPi() {
    }

    /** Samples per inner loop: an {@code int}-counted loop, which the JIT compiles the same way in every JVM. */
    private static final int CHUNK = 1 << 20;

    /** Points inside the quarter circle out of {@code samples}, for the stream seeded by {@code seed}. */
    static long hits(long seed, long samples) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long done = 0; done < samples; ) {
            int n = (int) Math.min(samples - done, CHUNK);
            inside += hits(random, n);
            done += n;
        }
        return inside;
    }

    /*
     * Why chunks: one loop counted by a long compiled to code twice as slow in some JVMs as in others
     * (the CLI's JVM against a worker process's, 0.24 against 0.12 s for the same task), depending on
     * how the JIT first met it (on-stack replacement during the calibration, or whole calls). The
     * speedup the demo prints compares the two, so the kernel must run at one speed everywhere.
     */
    private static int hits(SplittableRandom random, int samples) {
        int inside = 0;
        for (int i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }
}
