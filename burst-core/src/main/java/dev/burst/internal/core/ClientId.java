package dev.burst.internal.core;

import java.util.Objects;

/** Name of a connected client; results are reported to the clients that want them. */
public record ClientId(String name) {
    public ClientId {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return name;
    }
}
