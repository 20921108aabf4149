package dev.burst.internal.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a real deployment needs, checked as far as no cluster is needed: the gateway's manifest
 * parses as Kubernetes objects whose Role allows exactly what the backend does through the API,
 * and the worker image's build file lays Burst out where the backend's defaults expect it.
 */
class DeploymentFilesTest {
    static final Path DIR = Path.of("..", "kubernetes");

    @Test
    void theGatewayManifestHasTheRbacTheBackendNeeds() throws Exception {
        List<HasMetadata> objects;
        try (var client = new KubernetesClientBuilder().build(); InputStream in = Files.newInputStream(DIR.resolve("gateway.yaml"))) {
            objects = client.load(in).items();
        }
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactly("ServiceAccount", "Role", "RoleBinding", "PersistentVolumeClaim", "Deployment", "Service");
        ServiceAccount sa = (ServiceAccount) objects.get(0);
        Role role = (Role) objects.get(1);
        RoleBinding binding = (RoleBinding) objects.get(2);
        Deployment gateway = (Deployment) objects.get(4);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(sa.getMetadata().getName()));
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(verbs(role, "pods")).contains("create", "delete", "get", "list", "watch");
        assertThat(verbs(role, "configmaps")).contains("create", "delete", "get");
        assertThat(verbs(role, "secrets")).contains("create", "delete", "get");
        var pod = gateway.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        assertThat(pod.getContainers().get(0).getArgs()).containsSubsequence("--backend", "kubernetes")
                .contains("--data", "/data");
    }

    private static List<String> verbs(Role role, String resource) {
        return role.getRules().stream().filter(r -> r.getResources().contains(resource)).map(PolicyRule::getVerbs)
                .flatMap(List::stream).toList();
    }

    @Test
    void theWorkerImageHasAJdkAndBurstWhereTheBackendLooks() throws Exception {
        String dockerfile = Files.readString(DIR.resolve("worker.Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:2[1-9]");
        String libDir = WorkerPods.Image.DEFAULT.classpath().replace("*", "");
        assertThat(dockerfile).contains("COPY lib/ " + libDir);
        assertThat(WorkerPods.Image.DEFAULT.java()).isEqualTo("java");
    }
}
