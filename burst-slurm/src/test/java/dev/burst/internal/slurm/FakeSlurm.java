package dev.burst.internal.slurm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Fake {@code sbatch}, {@code squeue} and {@code scancel} shell scripts in a directory, sharing a
 * job table of files: {@code jobs/<id>.state} holds a job's state (a test writes RUNNING, FAILED, or
 * deletes the file to make the job vanish), {@code jobs/<id>.script} the submitted script, and
 * {@code <command>.calls} each call's arguments, one line per call.
 */
final class FakeSlurm {
    final Path dir;

    private FakeSlurm(Path dir) {
        this.dir = dir;
    }

    /** A fake Slurm that accepts every job (ids from 101, printed as {@code id;fakecluster}). */
    static FakeSlurm accepting(Path dir) {
        return create(dir, """
                exec 9>"$D/lock"; flock 9
                n=$(( $(cat "$D/counter" 2>/dev/null || echo 100) + 1 )); echo $n > "$D/counter"
                script="${@: -1}"
                cp "$script" "$D/jobs/$n.script"
                echo PENDING > "$D/jobs/$n.state"
                echo "$n;fakecluster"
                """);
    }

    /** A fake Slurm whose sbatch prints {@code stderr} and exits 1. */
    static FakeSlurm refusing(Path dir, String stderr) {
        return create(dir, "echo '" + stderr.replace("'", "'\\''") + "' >&2\nexit 1\n");
    }

    private static FakeSlurm create(Path dir, String sbatchBody) {
        try {
            Files.createDirectories(dir.resolve("jobs"));
            String head = "#!/bin/bash\nD='" + dir + "'\necho \"$*\" >> \"$D/$(basename \"$0\").calls\"\n";
            write(dir.resolve("sbatch"), head + sbatchBody);
            write(dir.resolve("squeue"), head + """
                    ids=""
                    while [ $# -gt 0 ]; do case $1 in -j) ids=$2; shift;; esac; shift; done
                    IFS=, read -ra arr <<< "$ids"
                    for id in "${arr[@]}"; do
                      f="$D/jobs/$id.state"
                      [ -f "$f" ] && echo "$id|$(cat "$f")|None"
                    done
                    exit 0
                    """);
            write(dir.resolve("scancel"), head + """
                    for id in "$@"; do [ -f "$D/jobs/$id.state" ] && echo CANCELLED > "$D/jobs/$id.state"; done
                    exit 0
                    """);
            return new FakeSlurm(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    SlurmSettings.Builder configure(SlurmSettings.Builder b) {
        return b.commands(dir.resolve("sbatch").toString(), dir.resolve("squeue").toString(), dir.resolve("scancel").toString());
    }

    void setState(String jobId, String state) {
        try {
            // write and rename, so that the fake squeue never reads a half-written state
            Path tmp = dir.resolve("jobs").resolve(jobId + ".state.tmp");
            Files.writeString(tmp, state + "\n");
            Files.move(tmp, dir.resolve("jobs").resolve(jobId + ".state"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job vanishes from squeue (purged, or never known). */
    void forget(String jobId) {
        try {
            Files.deleteIfExists(dir.resolve("jobs").resolve(jobId + ".state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String submittedScript(String jobId) {
        try {
            return Files.readString(dir.resolve("jobs").resolve(jobId + ".script"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> calls(String command) {
        try {
            Path f = dir.resolve(command + ".calls");
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
