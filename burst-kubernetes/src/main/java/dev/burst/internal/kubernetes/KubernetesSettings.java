package dev.burst.internal.kubernetes;

import dev.burst.spi.WorkerLaunch;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Map;

/**
 * Where and how a cluster's worker pods run.
 *
 * @param namespace       the namespace of the pods, their secret and their owner
 * @param image           the worker image and how Burst runs in it
 * @param podTemplate     the admin's pod to start from (node selectors, tolerations, volumes), or null
 * @param labels          more labels for every pod
 * @param serviceAccount  the pods' service account, or null for the namespace's default
 * @param schedulerHost   the host workers reach the scheduler at (its port is the scheduler's), or
 *                        null for the address the scheduler listens on
 */
public record KubernetesSettings(String namespace, WorkerPods.Image image, Pod podTemplate, Map<String, String> labels,
                                 String serviceAccount, String schedulerHost) {
    public KubernetesSettings {
        labels = Map.copyOf(labels);
    }

    /** The scheduler's address as workers in pods dial it (through a gateway's entrance when there is one). */
    String schedulerAddress(WorkerLaunch launch) {
        if (schedulerHost == null) {
            return launch.schedulerAddress();
        }
        var a = dev.burst.internal.transport.BurstAddress.parse(launch.schedulerAddress());
        return new dev.burst.internal.transport.BurstAddress(schedulerHost, a.port()).toString();
    }
}
