package dev.burst.spi;

import java.nio.file.Path;

/**
 * What a {@link WorkerPool} is given when its cluster's scheduler is up.
 *
 * @param clusterName the cluster's name (unique in this JVM; use it to label what the pool creates)
 * @param user        who the cluster belongs to (its usage is accounted to them)
 * @param shape       what each worker looks like
 * @param launch      how to start a worker process that joins this cluster
 * @param events      where to report workers running, stopping and failing
 * @param ticker      the cluster's clock
 * @param workDir     a directory of the cluster's for the pool's files (scripts, logs); deleted at close
 */
public record PoolContext(String clusterName, String user, WorkerShape shape, WorkerLaunch launch,
                          WorkerPool.Events events, Ticker ticker, Path workDir) {
}
