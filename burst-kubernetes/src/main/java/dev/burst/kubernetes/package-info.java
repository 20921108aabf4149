/** The Kubernetes backend's public API: {@link dev.burst.kubernetes.KubernetesCluster}. */
package dev.burst.kubernetes;
