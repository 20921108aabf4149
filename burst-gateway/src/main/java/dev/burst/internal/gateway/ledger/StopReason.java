package dev.burst.internal.gateway.ledger;

import java.util.Arrays;
import java.util.Locale;

/** Why a gateway cluster stopped: logged, recorded in the ledger and shown to its user. */
public enum StopReason {
    /** No task queued or running and no task activity for the idle timeout. */
    IDLE,
    /** Its last client went away (a killed kernel, a killed JVM) longer ago than the no-client timeout. */
    NO_CLIENT,
    /** It lived as long as its user's or group's max-lifetime. */
    MAX_LIFETIME,
    /** Its user's budget is spent. */
    BUDGET,
    /** Its user stopped it. */
    USER,
    /** An admin stopped it. */
    ADMIN,
    /** Its scheduler process died or stopped answering. */
    SCHEDULER_LOST,
    /** The gateway restarted and could not take it back. */
    GATEWAY_RESTART,
    /** It never started. */
    START_FAILED,
    /** The gateway was shut down. */
    GATEWAY_SHUTDOWN;

    /** The name in the API, the log and the ledger: {@code no-client}, {@code max-lifetime}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static StopReason ofLabel(String label) {
        return Arrays.stream(values()).filter(r -> r.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown stop reason '" + label + "'"));
    }
}
