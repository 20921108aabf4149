package dev.burst.internal.resources;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.worker.GpuSlots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which GPU devices a worker process hands to its tasks, and the {@code gpu} amount it advertises.
 *
 * <p>The rules, given {@code --gpus} and {@code --resources}:
 * <ul>
 *   <li>{@code --gpus 0,1}: exactly these devices; {@code gpu=2} is advertised, and a
 *       {@code --resources gpu=N} that says otherwise is an error.</li>
 *   <li>{@code --gpus none}: no devices; a {@code gpu} in {@code --resources} stays a plain label.</li>
 *   <li>{@code --gpus auto}: the devices detected (below); a {@code --resources gpu=N} must agree
 *       with what was found, except that when nothing is found {@code N} counts devices
 *       {@code 0..N-1} (a machine whose driver tools are not visible to the worker).</li>
 *   <li>no {@code --gpus}: as {@code auto}, but a {@code --resources gpu=N} is trusted: the detected
 *       devices when there are {@code N} of them, else devices {@code 0..N-1} (with a warning when
 *       a different number was found). A local cluster's worker processes get their {@code gpu} this
 *       way.</li>
 * </ul>
 * Detection: {@code CUDA_VISIBLE_DEVICES} when it is set to a list of indices (a batch system such
 * as Slurm gave this process those devices; empty or {@code -1} means none), otherwise
 * {@code nvidia-smi --query-gpu=index --format=csv,noheader}; no nvidia-smi, or a failure, means no
 * devices. A {@code CUDA_VISIBLE_DEVICES} of UUIDs is not used (tasks get indices).
 */
public final class GpuDetection {
    private static final Logger log = LoggerFactory.getLogger(GpuDetection.class);

    private GpuDetection() {
    }

    /** The devices a worker uses and the resources it advertises ({@code gpu} included). */
    public record WorkerGpus(List<Integer> devices, ResourceAmounts resources) {
        public WorkerGpus {
            devices = List.copyOf(devices);
        }
    }

    /**
     * Applies the rules above.
     *
     * @param gpusOption the {@code --gpus} value, or null when not given
     * @param resources  the parsed {@code --resources}
     * @param detector   finds the machine's devices (see {@link #detect()})
     * @throws IllegalArgumentException for a malformed {@code --gpus} or one that disagrees with
     *                                  {@code --resources gpu}
     */
    public static WorkerGpus resolve(String gpusOption, ResourceAmounts resources, Supplier<List<Integer>> detector) {
        Double declared = resources.amounts().get(GpuSlots.GPU);
        String option = gpusOption == null ? null : gpusOption.strip();
        if (option != null && option.equalsIgnoreCase("none")) {
            return new WorkerGpus(List.of(), resources);
        }
        if (option != null && !option.equalsIgnoreCase("auto")) {
            List<Integer> devices = parseList(option);
            if (declared != null && declared != devices.size()) {
                throw new IllegalArgumentException("--gpus " + option + " names " + devices.size() + " device(s) but --resources says gpu="
                        + formatAmount(declared) + "; give one of them, or make them agree");
            }
            return new WorkerGpus(devices, withGpu(resources, devices.size()));
        }
        List<Integer> found = detector.get();
        if (declared == null) {
            return new WorkerGpus(found, found.isEmpty() ? resources : withGpu(resources, found.size()));
        }
        if (found.size() == declared) {
            return new WorkerGpus(found, resources);
        }
        if (option != null && !found.isEmpty()) {
            throw new IllegalArgumentException("--gpus auto found " + found.size() + " device(s) " + found
                    + " but --resources says gpu=" + formatAmount(declared) + "; pass --gpus with the devices to use");
        }
        if (!found.isEmpty()) {
            log.warn("--resources says gpu={} but {} GPU device(s) {} were found; tasks get devices 0..{}",
                    formatAmount(declared), found.size(), found, (int) Math.floor(declared) - 1);
        }
        return new WorkerGpus(GpuSlots.firstDevices(declared).devices(), resources);
    }

    /** {@code 0,1,3} as device indices: non-negative integers, no repeats, at least one. */
    public static List<Integer> parseList(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("--gpus must be a list of device indices such as 0,1, or auto, or none; got an empty value");
        }
        List<Integer> devices = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            int d;
            try {
                d = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--gpus must be a list of device indices such as 0,1, or auto, or none; '"
                        + p + "' in '" + spec + "' is not an index");
            }
            if (d < 0) {
                throw new IllegalArgumentException("--gpus: device index must be >= 0, got " + d);
            }
            if (devices.contains(d)) {
                throw new IllegalArgumentException("--gpus: device " + d + " is listed twice in '" + spec + "'");
            }
            devices.add(d);
        }
        return devices;
    }

    /** The devices of this machine: CUDA_VISIBLE_DEVICES when it lists indices, else nvidia-smi. */
    public static List<Integer> detect() {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        if (visible != null) {
            List<Integer> fromEnv = parseVisibleDevices(visible);
            if (fromEnv != null) {
                log.info("GPU devices from CUDA_VISIBLE_DEVICES: {}", fromEnv);
                return fromEnv;
            }
            log.info("CUDA_VISIBLE_DEVICES='{}' does not list device indices; asking nvidia-smi", visible);
        }
        return fromNvidiaSmi();
    }

    /**
     * Device indices from a {@code CUDA_VISIBLE_DEVICES} value: empty for {@code ""} or a value
     * starting with {@code -1} (CUDA's "none"), null when it holds something other than indices (UUIDs).
     */
    /**
     * The devices of an in-process worker offering {@code gpuAmount} GPUs: the first of those
     * CUDA_VISIBLE_DEVICES lists when it lists enough (so a user given devices 4,5 gets 4 and 5,
     * not 0 and 1), else 0..n-1.
     */
    public static List<Integer> inProcessDevices(double gpuAmount) {
        int n = (int) Math.floor(gpuAmount + 1e-9);
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        List<Integer> listed = visible == null ? null : parseVisibleDevices(visible);
        if (listed != null && listed.size() >= n) {
            return List.copyOf(listed.subList(0, n));
        }
        return dev.burst.internal.worker.GpuSlots.firstDevices(gpuAmount).devices();
    }

    static List<Integer> parseVisibleDevices(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.startsWith("-1") || v.equalsIgnoreCase("NoDevFiles")) {
            return List.of();
        }
        try {
            return parseList(v);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<Integer> fromNvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.info("no GPUs: nvidia-smi did not finish within 10 s");
                return List.of();
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                log.info("no GPUs: nvidia-smi exited with {}: {}", p.exitValue(), text.strip());
                return List.of();
            }
            List<Integer> devices = parseNvidiaSmi(text);
            log.info("GPU devices from nvidia-smi: {}", devices);
            return devices;
        } catch (IOException e) {
            log.debug("no GPUs: nvidia-smi cannot be run ({})", e.getMessage());
            return List.of();
        } catch (IllegalArgumentException e) {
            log.info("no GPUs: {}", e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The indices in the output of {@code nvidia-smi --query-gpu=index --format=csv,noheader}: one per line. */
    static List<Integer> parseNvidiaSmi(String output) {
        List<Integer> devices = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            try {
                devices.add(Integer.parseInt(l));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unexpected nvidia-smi output line '" + l + "' (expected a device index)");
            }
        }
        return List.copyOf(devices);
    }

    private static ResourceAmounts withGpu(ResourceAmounts resources, int count) {
        if (count == 0) {
            return resources;
        }
        Map<String, Double> m = new LinkedHashMap<>(resources.amounts());
        m.put(GpuSlots.GPU, (double) count);
        return ResourceAmounts.of(m);
    }

    private static String formatAmount(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
