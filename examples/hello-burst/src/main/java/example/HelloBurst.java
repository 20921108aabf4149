package example;

import dev.burst.Client;
import dev.burst.ClusterStatus;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;

import java.util.List;
import java.util.stream.LongStream;

/** Sums the squares of 1..1000, one task per number, on an elastic cluster of this machine. */
public final class HelloBurst {
    private HelloBurst() {
    }

    static long square(long x) {
        return x * x;
    }

    /** Runs the job; {@code processes} puts each worker in a JVM of its own. */
    public static long run(boolean processes) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(processes).workers(0).recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            cluster.adapt(0, 2);
            List<TaskFuture<Long>> squares = client.map(HelloBurst::square, LongStream.rangeClosed(1, 1000).boxed().toList());
            long sum = client.gather(squares).stream().mapToLong(Long::longValue).sum();
            ClusterStatus status = cluster.status();
            System.out.printf("sum of squares: %d (%d tasks done on %s; %s)%n", sum, status.total().done(), cluster.name(), cluster.usage());
            return sum;
        }
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 && args[0].equals("--processes"));
    }
}
