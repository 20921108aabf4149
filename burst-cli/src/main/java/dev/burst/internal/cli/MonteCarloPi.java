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

    /** Points inside the quarter circle out of {@code samples}, for the stream seeded by {@code seed}. */
    static long hits(long seed, long samples) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }
}
