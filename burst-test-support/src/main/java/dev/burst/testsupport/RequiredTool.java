package dev.burst.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test that needs a real program (a browser, Jupyter) does when it is missing: skip with a
 * banner nobody overlooks, or fail under {@code CI=true}, where {@code .ci/run} installs it.
 */
public final class RequiredTool {
    private RequiredTool() {
    }

    /**
     * Skips (or, under {@code CI=true}, fails) {@code testClass} when {@code whyMissing} is not null.
     *
     * @param needs      what is missing, for the banner ("headless Chromium", "Jupyter")
     * @param whyMissing which file is missing and how to install it, or null when all is there
     */
    public static void requireOrSkip(String testClass, String needs, String whyMissing) {
        if (whyMissing != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + testClass + " cannot run: " + whyMissing);
        }
        if (whyMissing != null) {
            System.err.printf("%n************************************************************************%n"
                    + "* SKIPPED: %s needs %s: %s%n"
                    + "************************************************************************%n", testClass, needs, whyMissing);
        }
        assumeTrue(whyMissing == null, whyMissing);
    }
}
