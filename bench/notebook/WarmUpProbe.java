// bench/notebook/WarmUpProbe.java: what warming a kernel's client side would save a notebook's first
// process cluster (docs/benchmarks.md, issue #21). Run from the repository root after bin/burst built:
//   $JAVA_HOME/bin/java --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
//     -cp "burst-cli/target/burst-cli.jar:burst-cli/target/lib/*" bench/notebook/WarmUpProbe.java [--no-warm-up]
import dev.burst.*;
import dev.burst.internal.cluster.NetworkScheduler;
import dev.burst.internal.scheduler.SchedulerConfig;
public class WarmUpProbe {
    public static void main(String[] a) throws Exception {
        boolean warm = !java.util.List.of(a).contains("--no-warm-up");
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (warm) { // a scheduler and a client connection made and closed, a Javalin server started and stopped
            long c0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("burst-warm-up-");
            NetworkScheduler s = new NetworkScheduler("127.0.0.1", SchedulerConfig.defaults(), dir);
            var client = s.connectClient();
            ((dev.burst.internal.schedulernode.RemoteEndpoint) client).close();
            s.close();
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
            var j = io.javalin.Javalin.create(c -> { c.startup.showJavalinBanner = false; }).start("127.0.0.1", 0);
            j.stop();
            System.out.printf("warm-up %.2f s wall, %.2f s CPU%n", (System.nanoTime() - w0) / 1e9, (os.getProcessCpuTime() - c0) / 1e9);
            Thread.sleep(1000);
        }
        long t0 = System.nanoTime();
        LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1).recordUsage(false).build();
        long t1 = System.nanoTime();
        Client cl = Client.connect(cluster);
        long t2 = System.nanoTime();
        int r = cl.submit(() -> 6 * 7).get();
        long t3 = System.nanoTime();
        System.out.printf((warm ? "after warm-up" : "cold") + ": build %.2f connect %.2f first %.2f%n", (t1-t0)/1e9, (t2-t1)/1e9, (t3-t2)/1e9);
        cl.close(); cluster.close();
    }
}
