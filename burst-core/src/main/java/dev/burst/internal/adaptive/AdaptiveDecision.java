package dev.burst.internal.adaptive;

import java.util.List;

/**
 * What the adaptive controller should do now. Never both {@code start > 0} and a non-empty
 * {@code retire}.
 *
 * @param target  the number of workers wanted (connected + pending) after this decision
 * @param start   how many new workers to ask for
 * @param retire  connected workers to retire gracefully (their sole results are copied first)
 * @param cancel  pending workers to cancel (they did not arrive in time, or are no longer needed)
 * @param reason  one line saying why, for logs and {@code story}
 */
public record AdaptiveDecision(int target, int start, List<String> retire, List<String> cancel, String reason) {
    public AdaptiveDecision {
        retire = List.copyOf(retire);
        cancel = List.copyOf(cancel);
        if (start < 0) {
            throw new IllegalArgumentException("start must be >= 0");
        }
        if (start > 0 && !retire.isEmpty()) {
            throw new IllegalArgumentException("a decision never scales up and down at once");
        }
    }
}
