package dev.burst;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BurstDirectoriesTest {
    @Test
    void burstHomeWinsOverTheUsersHome() {
        BurstDirectories d = BurstDirectories.from(Map.of("BURST_HOME", "/data/burst"), "/home/ada");
        assertThat(d.home()).isEqualTo(Path.of("/data/burst"));
        assertThat(d.usage()).isEqualTo(Path.of("/data/burst/usage"));
        assertThat(d.slurm()).isEqualTo(Path.of("/data/burst/slurm"));
        assertThat(d.schedulers()).isEqualTo(Path.of("/data/burst/schedulers"));
        assertThat(d.cache()).isEqualTo(Path.of("/data/burst/cache"));
        assertThat(d.localIdentity()).isEqualTo(Path.of("/data/burst/local-identity"));
    }

    @Test
    void withoutBurstHomeItIsDotBurstInTheUsersHome() {
        assertThat(BurstDirectories.from(Map.of(), "/home/ada").home()).isEqualTo(Path.of("/home/ada/.burst"));
        assertThat(BurstDirectories.from(Map.of("BURST_HOME", " "), "/home/ada").home()).isEqualTo(Path.of("/home/ada/.burst"));
    }

    @Test
    void noHomeAtAllIsNamed() {
        assertThatThrownBy(() -> BurstDirectories.from(Map.of(), ""))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("BURST_HOME");
    }

    @Test
    void testsRunUnderTheBuildsBurstHome() {
        // the build sets BURST_HOME so that tests never write to the real ~/.burst
        assertThat(BurstDirectories.fromEnvironment().home().toString()).contains("target");
    }
}
