package dev.burst;

/** A task class that {@link InMemoryCodeTest} defines a second time, by a loader that keeps its bytes to itself. */
public final class SecretTask implements TaskCallable<String> {
    @Override
    public String call() {
        return "secret";
    }
}
