package dev.burst.internal.slurm;

import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackends;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The slurm backend is found by name on a class path that holds burst-slurm, and checks its settings. */
class SlurmBackendTest {
    @Test
    void foundByNameWithItsSettings() {
        assertThat(ClusterBackends.require("slurm")).isInstanceOf(SlurmBackend.class);
        assertThat(ClusterBackends.require("slurm").settings()).containsKeys("partition", "account", "walltime", "scheduler-host");
        assertThat(ClusterBackends.describe()).contains("local (", "slurm (");
    }

    @Test
    void aBadSettingIsNamedBeforeAnythingStarts() {
        assertThatThrownBy(() -> ClusterBackends.create("slurm", BackendOptions.builder().setting("processes", "true").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the slurm backend has no setting 'processes'");
        assertThatThrownBy(() -> ClusterBackends.create("slurm", BackendOptions.builder().setting("walltime", "soon").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soon");
    }
}
