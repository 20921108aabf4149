package dev.burst.internal.slurm;

import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.transport.BurstAddress;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings validation, job script content and sbatch/squeue output parsing; no Slurm needed. */
class SlurmSettingsTest {
    static final BurstAddress SCHEDULER = new BurstAddress("10.0.0.5", 8786);
    static final WorkerShape SHAPE = new WorkerShape(4, 1L << 30, dev.burst.Resources.none());

    static SlurmSettings.Builder builder() {
        return SlurmSettings.builder("c1", SCHEDULER, Path.of("/shared/c1/token"))
                .workDir(Path.of("/shared/c1/slurm")).javaCommand("/opt/java/bin/java").classpath("/a.jar:/b b.jar");
    }

    @Test
    void scriptHasEveryDirectiveAndExecsTheWorker() {
        SlurmSettings s = builder().partition("gpu").account("proj42").walltime("02:30:00")
                .extraDirective("--qos=low").extraDirective("--constraint=avx512")
                .keyStoreDir(Path.of("/shared/c1/keys")).build();
        SlurmJobScript script = SlurmJobScript.render("c1-worker-7",
                s, new WorkerShape(4, 1L << 30, dev.burst.Resources.of("gpu", 2)));

        assertThat(script.scriptFile()).isEqualTo(Path.of("/shared/c1/slurm/c1-worker-7.sbatch"));
        assertThat(script.logFile()).isEqualTo(Path.of("/shared/c1/slurm/c1-worker-7.log"));
        assertThat(script.text()).startsWith("#!/bin/bash\n").contains(
                "#SBATCH --job-name=c1-worker-7\n",
                "#SBATCH --partition=gpu\n",
                "#SBATCH --account=proj42\n",
                "#SBATCH --nodes=1\n",
                "#SBATCH --ntasks=1\n",
                "#SBATCH --cpus-per-task=4\n",
                "#SBATCH --mem=" + SlurmJobScript.jobMemoryMb(1L << 30) + "M\n",
                "#SBATCH --time=02:30:00\n",
                "#SBATCH --output=/shared/c1/slurm/c1-worker-7.log\n",
                "#SBATCH --gres=gpu:2\n",
                "#SBATCH --qos=low\n",
                "#SBATCH --constraint=avx512\n");
        String exec = script.text().lines().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
        assertThat(exec).startsWith("exec /opt/java/bin/java -Xmx2048m ")
                .contains(" -cp '/a.jar:/b b.jar' dev.burst.internal.workerprocess.WorkerMain --scheduler burst://10.0.0.5:8786 ",
                        "--token-file /shared/c1/token", "--threads 4", "--memory 1073741824", "--name c1-worker-7",
                        "--key-store-dir /shared/c1/keys", "--resources gpu=2.0");
        // every directive comes before the first command, or sbatch ignores it
        assertThat(script.text().lastIndexOf("#SBATCH")).isLessThan(script.text().indexOf("exec "));
    }

    @Test
    void scriptLeavesOutAnEmptyAccountAndPartition() {
        SlurmJobScript script = SlurmJobScript.render("c1-worker-1", builder().build(), SHAPE);
        assertThat(script.text()).doesNotContain("--account", "--partition", "--gres", "--key-store-dir", "--resources");
        assertThat(script.text()).contains("#SBATCH --time=01:00:00\n");
    }

    @Test
    void memoryCoversTheHeapAndTheJvm() {
        assertThat(SlurmJobScript.heapMb(256L << 20)).isEqualTo(768);
        assertThat(SlurmJobScript.jobMemoryMb(256L << 20)).isEqualTo(768 + 256);
        assertThat(SlurmJobScript.jobMemoryMb(4L << 30)).isEqualTo(8192 + 2048);
    }

    @Test
    void shellQuotingSurvivesQuotes() {
        assertThat(SlurmJobScript.shellQuote("plain/path.jar")).isEqualTo("plain/path.jar");
        assertThat(SlurmJobScript.shellQuote("it's here")).isEqualTo("'it'\\''s here'");
    }

    @Test
    void parsesParsableJobIds() {
        assertThat(SlurmCommands.parseJobId("123\n")).isEqualTo("123");
        assertThat(SlurmCommands.parseJobId("123;cluster\n")).isEqualTo("123");
        assertThat(SlurmCommands.parseJobId("sbatch: warning: something\n456\n")).isEqualTo("456");
        assertThatThrownBy(() -> SlurmCommands.parseJobId("Submitted batch job 5"))
                .hasMessageContaining("not a job id").hasMessageContaining("Submitted batch job 5");
    }

    @Test
    void tellsUnreachableFromRefused() {
        assertThat(SlurmCommands.classify("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)"))
                .isEqualTo(SlurmCommands.Failure.UNREACHABLE);
        assertThat(SlurmCommands.classify("slurm_load_jobs error: Socket timed out on send/recv operation"))
                .isEqualTo(SlurmCommands.Failure.UNREACHABLE);
        assertThat(SlurmCommands.classify("sbatch: error: Batch job submission failed: Invalid partition name specified"))
                .isEqualTo(SlurmCommands.Failure.REFUSED);
        assertThat(SlurmCommands.classify("sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified"))
                .isEqualTo(SlurmCommands.Failure.REFUSED);
    }

    @Test
    void parsesJobStates() {
        assertThat(SlurmJobState.parse("RUNNING")).isEqualTo(SlurmJobState.RUNNING);
        assertThat(SlurmJobState.parse("PD")).isEqualTo(SlurmJobState.PENDING);
        assertThat(SlurmJobState.parse("NODE_FAIL").phase()).isEqualTo(SlurmJobState.Phase.ENDED);
        assertThat(SlurmJobState.parse("SOMETHING_NEW").phase()).isEqualTo(SlurmJobState.Phase.WAITING);
    }

    @Test
    void walltimeIsValidated() {
        assertThat(SlurmSettings.parseWalltime("01:00:00")).isEqualTo(Duration.ofHours(1));
        assertThat(SlurmSettings.parseWalltime("2-00:00:30")).isEqualTo(Duration.ofDays(2).plusSeconds(30));
        assertThatThrownBy(() -> builder().walltime("1:00").build()).hasMessageContaining("walltime '1:00' is not HH:MM:SS");
        assertThatThrownBy(() -> builder().walltime("00:61:00").build()).hasMessageContaining("'00:61:00'").hasMessageContaining("above 59");
        assertThatThrownBy(() -> builder().walltime("00:00:00").build()).hasMessageContaining("is zero");
    }

    @Test
    void lifetimeDefaultsBelowTheWalltime() {
        assertThat(builder().walltime("01:00:00").build().lifetime()).isEqualTo(Duration.ofMinutes(55));
        assertThat(builder().walltime("00:10:00").build().lifetime()).isEqualTo(Duration.ofMinutes(9));
        assertThat(builder().walltime("1-00:00:00").build().lifetime()).isEqualTo(Duration.ofHours(24).minusMinutes(5));
        assertThat(builder().walltime("00:10:00").build().lifetimeStagger()).isEqualTo(Duration.ofSeconds(54));
        assertThatThrownBy(() -> builder().walltime("00:10:00").lifetime(Duration.ofMinutes(10)).build())
                .hasMessageContaining("below the walltime 00:10:00");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> builder().extraDirective("qos=low").build()).hasMessageContaining("'qos=low'");
        assertThatThrownBy(() -> builder().partition("a b").build()).hasMessageContaining("partition 'a b'");
        assertThatThrownBy(() -> builder().workDir(Path.of("/tmp/with space")).build()).hasMessageContaining("'/tmp/with space'");
        assertThatThrownBy(() -> SlurmSettings.builder("bad name", SCHEDULER, Path.of("/t")).build())
                .hasMessageContaining("cluster name 'bad name'");
        assertThatThrownBy(() -> builder().pollInterval(Duration.ofMillis(1)).build()).hasMessageContaining("poll interval");
    }
}
