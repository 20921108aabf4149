/**
 * The Kubernetes backend's insides: {@link dev.burst.internal.kubernetes.KubernetesWorkers} (the
 * pool: a pod per worker, owned by a per-cluster object, watched for its phase and its reasons),
 * {@link dev.burst.internal.kubernetes.WorkerPods} (what a worker pod is) and the backend's
 * registration {@link dev.burst.internal.kubernetes.KubernetesBackend}.
 */
package dev.burst.internal.kubernetes;
