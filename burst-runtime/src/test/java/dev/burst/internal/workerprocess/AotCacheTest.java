package dev.burst.internal.workerprocess;

import dev.burst.spi.WorkerLaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The workers' AOT cache goes record → create → use, one worker recording at a time, and a failed
 * assembly starts it over; class paths with a directory, and other JDKs, get none.
 */
class AotCacheTest {
    @TempDir
    Path cacheRoot;
    @TempDir
    Path jars;

    @Test
    void oneWorkerRecordsTheNextLaunchAssemblesAndLaterOnesUseTheCache() throws Exception {
        assumeTrue(Runtime.version().feature() >= AotCache.MIN_FEATURE, "the AOT cache needs JDK 25");
        String java = WorkerLaunch.thisJava();
        Path jar = Files.writeString(jars.resolve("app.jar"), "not really a jar");
        String classpath = jar.toString();
        AotCache.Files3 files = AotCache.files(cacheRoot, java, classpath);

        List<String> first = AotCache.jvmOptions(java, classpath, List.of(), cacheRoot);
        assertThat(first).contains("-XX:AOTMode=record", "-XX:AOTConfiguration=" + files.configuration());
        assertThat(AotCache.jvmOptions(java, classpath, List.of(), cacheRoot)).as("one worker records at a time").isNull();

        // The recording worker exits and leaves its configuration; this one is not a real one, so the
        // assembly started by the next launch fails, and the configuration is dropped to record afresh.
        Files.writeString(files.configuration(), "a configuration the JVM will refuse");
        assertThat(AotCache.jvmOptions(java, classpath, List.of(), cacheRoot)).as("the lock goes once the configuration is there").isNull();
        assertThat(AotCache.jvmOptions(java, classpath, List.of(), cacheRoot)).as("assembling in the background").isNull();
        await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(files.configuration()));
        assertThat(files.cache()).doesNotExist();
        assertThat(AotCache.jvmOptions(java, classpath, List.of(), cacheRoot)).contains("-XX:AOTMode=record");

        Files.writeString(files.cache(), "stands for an assembled cache");
        assertThat(AotCache.jvmOptions(java, classpath, List.of(), cacheRoot)).contains("-XX:AOTCache=" + files.cache());
    }

    @Test
    void noCacheForADirectoryOnTheClassPathOrAnotherJava() throws Exception {
        Path jar = Files.writeString(jars.resolve("app.jar"), "x");
        assertThat(AotCache.jvmOptions(WorkerLaunch.thisJava(), jar + java.io.File.pathSeparator + jars, List.of(), cacheRoot)).isNull();
        assertThat(AotCache.jvmOptions("/opt/other-jdk/bin/java", jar.toString(), List.of(), cacheRoot)).isNull();
    }
}
