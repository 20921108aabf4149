package dev.burst.internal.resources;

import dev.burst.internal.core.ResourceAmounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuDetectionTest {
    private static final Supplier<List<Integer>> NONE_FOUND = List::of;
    private static final Supplier<List<Integer>> TWO_FOUND = () -> List.of(0, 1);
    private static final Supplier<List<Integer>> MUST_NOT_DETECT = () -> {
        throw new AssertionError("detection should not run");
    };

    private static ResourceAmounts gpu(double n) {
        return ResourceAmounts.of(Map.of("gpu", n, "ssd", 1.0));
    }

    @Test
    void parsesNvidiaSmiOutput() {
        assertThat(GpuDetection.parseNvidiaSmi("0\n1\n")).containsExactly(0, 1);
        assertThat(GpuDetection.parseNvidiaSmi("0\r\n1\r\n2\r\n3\r\n")).containsExactly(0, 1, 2, 3);
        assertThat(GpuDetection.parseNvidiaSmi("\n")).isEmpty();
        assertThat(GpuDetection.parseNvidiaSmi(" 4 \n\n7\n")).containsExactly(4, 7);
        assertThatThrownBy(() -> GpuDetection.parseNvidiaSmi(
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."))
                .hasMessageContaining("unexpected nvidia-smi output");
    }

    @Test
    void parsesCudaVisibleDevices() {
        assertThat(GpuDetection.parseVisibleDevices("2,3")).containsExactly(2, 3);
        assertThat(GpuDetection.parseVisibleDevices("")).isEmpty();
        assertThat(GpuDetection.parseVisibleDevices("-1")).isEmpty();
        assertThat(GpuDetection.parseVisibleDevices("GPU-8f1c2e3a-1111-2222-3333-444455556666")).isNull();
    }

    @Test
    void parsesAnExplicitList() {
        assertThat(GpuDetection.parseList("0,1")).containsExactly(0, 1);
        assertThat(GpuDetection.parseList(" 3 , 1 ")).containsExactly(3, 1);
        assertThatThrownBy(() -> GpuDetection.parseList("0,x")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> GpuDetection.parseList("0,0")).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> GpuDetection.parseList("-2")).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> GpuDetection.parseList("")).hasMessageContaining("empty");
    }

    @Test
    void anExplicitListIsUsedAndAdvertised() {
        GpuDetection.WorkerGpus g = GpuDetection.resolve("2,3", ResourceAmounts.NONE, MUST_NOT_DETECT);
        assertThat(g.devices()).containsExactly(2, 3);
        assertThat(g.resources().get("gpu")).isEqualTo(2.0);
        assertThat(GpuDetection.resolve("0,1", gpu(2), MUST_NOT_DETECT).resources()).isEqualTo(gpu(2));
    }

    @Test
    void anExplicitListMustAgreeWithResources() {
        assertThatThrownBy(() -> GpuDetection.resolve("0", gpu(2), MUST_NOT_DETECT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--gpus 0 names 1 device").hasMessageContaining("gpu=2");
    }

    @Test
    void noneMeansNoDevices() {
        GpuDetection.WorkerGpus g = GpuDetection.resolve("none", gpu(1), MUST_NOT_DETECT);
        assertThat(g.devices()).isEmpty();
        assertThat(g.resources()).isEqualTo(gpu(1));
    }

    @Test
    void detectedDevicesAreAdvertised() {
        GpuDetection.WorkerGpus g = GpuDetection.resolve(null, ResourceAmounts.NONE, () -> List.of(0, 1, 2));
        assertThat(g.devices()).containsExactly(0, 1, 2);
        assertThat(g.resources().get("gpu")).isEqualTo(3.0);
        assertThat(GpuDetection.resolve("auto", ResourceAmounts.NONE, NONE_FOUND).resources()).isEqualTo(ResourceAmounts.NONE);
    }

    @Test
    void resourcesWithoutDetectedDevicesMeanDevicesFromZero() {
        GpuDetection.WorkerGpus g = GpuDetection.resolve(null, gpu(2), NONE_FOUND);
        assertThat(g.devices()).containsExactly(0, 1);
        assertThat(g.resources()).isEqualTo(gpu(2));
        assertThat(GpuDetection.resolve("auto", gpu(2), NONE_FOUND).devices()).containsExactly(0, 1);
    }

    @Test
    void resourcesAgreeingWithDetectionUseTheDetectedDevices() {
        assertThat(GpuDetection.resolve(null, gpu(2), () -> List.of(4, 5)).devices()).containsExactly(4, 5);
        assertThat(GpuDetection.resolve("auto", gpu(2), TWO_FOUND).devices()).containsExactly(0, 1);
    }

    @Test
    void autoDisagreeingWithResourcesIsAnError() {
        assertThatThrownBy(() -> GpuDetection.resolve("auto", gpu(3), TWO_FOUND))
                .hasMessageContaining("found 2 device(s)").hasMessageContaining("gpu=3");
        // without --gpus, the declared amount is trusted (a local cluster's worker processes)
        assertThat(GpuDetection.resolve(null, gpu(3), TWO_FOUND).devices()).containsExactly(0, 1, 2);
    }

    @Test
    void badGpusOptionIsAClearError() {
        assertThatThrownBy(() -> GpuDetection.resolve("all", ResourceAmounts.NONE, MUST_NOT_DETECT))
                .hasMessageContaining("'all'").hasMessageContaining("auto, or none");
    }
}
