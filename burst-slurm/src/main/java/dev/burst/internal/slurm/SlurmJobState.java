package dev.burst.internal.slurm;

/**
 * A Slurm job's state as {@code squeue -o %T} prints it, grouped by what it means for a worker:
 * still waiting to run, running, or ended. States this class does not know (a newer Slurm) are
 * {@link #UNKNOWN}, treated as still waiting so that a worker is never dropped on a guess.
 */
public enum SlurmJobState {
    PENDING(Phase.WAITING),
    CONFIGURING(Phase.WAITING),
    REQUEUED(Phase.WAITING),
    REQUEUE_HOLD(Phase.WAITING),
    REQUEUE_FED(Phase.WAITING),
    RESV_DEL_HOLD(Phase.WAITING),
    RESIZING(Phase.RUNNING),
    RUNNING(Phase.RUNNING),
    SUSPENDED(Phase.RUNNING),
    STOPPED(Phase.RUNNING),
    SIGNALING(Phase.RUNNING),
    STAGE_OUT(Phase.RUNNING),
    COMPLETING(Phase.ENDED),
    COMPLETED(Phase.ENDED),
    CANCELLED(Phase.ENDED),
    FAILED(Phase.ENDED),
    TIMEOUT(Phase.ENDED),
    NODE_FAIL(Phase.ENDED),
    PREEMPTED(Phase.ENDED),
    BOOT_FAIL(Phase.ENDED),
    DEADLINE(Phase.ENDED),
    OUT_OF_MEMORY(Phase.ENDED),
    SPECIAL_EXIT(Phase.ENDED),
    REVOKED(Phase.ENDED),
    UNKNOWN(Phase.WAITING);

    /** Where a job is in its life, as far as its worker is concerned. */
    public enum Phase {
        /** Queued: its worker process does not exist yet. */
        WAITING,
        /** Allocated: its worker process runs (or is being signalled). */
        RUNNING,
        /** Its worker process has ended or is being killed. */
        ENDED
    }

    private final Phase phase;

    SlurmJobState(Phase phase) {
        this.phase = phase;
    }

    public Phase phase() {
        return phase;
    }

    /** The state squeue printed ({@code RUNNING}, or a short code like {@code R}); {@link #UNKNOWN} if neither. */
    public static SlurmJobState parse(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        for (SlurmJobState s : values()) {
            if (s.name().equals(t)) {
                return s;
            }
        }
        return switch (t) {
            case "PD" -> PENDING;
            case "CF" -> CONFIGURING;
            case "R" -> RUNNING;
            case "S" -> SUSPENDED;
            case "ST" -> STOPPED;
            case "SI" -> SIGNALING;
            case "SO" -> STAGE_OUT;
            case "RS" -> RESIZING;
            case "CG" -> COMPLETING;
            case "CD" -> COMPLETED;
            case "CA" -> CANCELLED;
            case "F" -> FAILED;
            case "TO" -> TIMEOUT;
            case "NF" -> NODE_FAIL;
            case "PR" -> PREEMPTED;
            case "BF" -> BOOT_FAIL;
            case "DL" -> DEADLINE;
            case "OOM" -> OUT_OF_MEMORY;
            case "SE" -> SPECIAL_EXIT;
            case "RV" -> REVOKED;
            case "RQ" -> REQUEUED;
            case "RH" -> REQUEUE_HOLD;
            case "RF" -> REQUEUE_FED;
            case "RD" -> RESV_DEL_HOLD;
            default -> UNKNOWN;
        };
    }
}
