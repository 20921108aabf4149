package dev.burst.internal.gateway.ledger;

/** Where a gateway cluster is in its life. STARTING and RUNNING count against limits. */
public enum ClusterState {
    STARTING, RUNNING, STOPPED, FAILED;

    public boolean active() {
        return switch (this) {
            case STARTING, RUNNING -> true;
            case STOPPED, FAILED -> false;
        };
    }
}
