package dev.burst.internal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MapCommandTest {

    /** The CLI's exit code and what it wrote. */
    private record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private static Run run(String... args) {
        return runWithStdin("", args);
    }

    private static Run runWithStdin(String stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = MapCommand.runWithStdin(in, args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static String[] map(String... rest) {
        String[] head = {"map", "--no-progress", "--max-workers", "4"};
        String[] all = Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return all;
    }

    @Test
    void echoesEachInputExactlyOnce() {
        Run r = run(map("--", "echo", "item-{}", ":::", "a", "b", "c", "d", "e", "f"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactlyInAnyOrder("item-a", "item-b", "item-c", "item-d", "item-e", "item-f");
        assertThat(r.err()).contains("6 commands", "6 succeeded, 0 failed", "cluster usage:", "efficiency");
    }

    @Test
    void keepOrderPrintsInInputOrderEvenWhenEarlierInputsTakeLonger() {
        Run r = run(map("-k", "--", "sh", "-c", "sleep $1; echo $1", "_", "{}", ":::", "0.6", "0.3", "0", "0.1"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactly("0.6", "0.3", "0", "0.1");
    }

    @Test
    void withoutKeepOrderOutputsComeAsCommandsFinish() {
        // A worker may take two commands at once (the scheduler's saturation 1.1); one queued behind the
        // slow input is stolen by a worker with a free thread, so the slow one finishes last.
        Run r = run(map("--", "sh", "-c", "sleep $1; echo $1", "_", "{}", ":::", "2.0", "0", "0", "0", "0", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(6).endsWith("2.0");
    }

    @Test
    void readsInputsFromStandardInputOnePerLineSkippingEmptyLines() {
        Run r = runWithStdin("x.csv\n\ny.csv\r\nz.csv", map("--", "echo", "{.}"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactlyInAnyOrder("x", "y", "z");
    }

    @Test
    void failingCommandIsReportedWithExitCodeAndStderrAndTheExitCodeIsNonZero() {
        Run r = run(map("--", "sh", "-c", "echo oops-$1 >&2; exit 3", "_", "{}", ":::", "p", "q"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("0 succeeded, 2 failed", "FAILED input 'p': exit 3", "FAILED input 'q': exit 3", "| oops-p", "| oops-q");
    }

    @Test
    void outputOfEveryCommandIsAWholeBlockAndFailuresDoNotHideSuccesses() {
        Run r = run(map("--", "sh", "-c", "echo line1-$1; echo line2-$1; test $1 != bad", "_", ":::", "good", "bad"));
        assertThat(r.code()).isEqualTo(1);
        List<String> lines = r.outLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.indexOf("line2-good")).isEqualTo(lines.indexOf("line1-good") + 1);
        assertThat(lines.indexOf("line2-bad")).isEqualTo(lines.indexOf("line1-bad") + 1);
        assertThat(r.err()).contains("1 succeeded, 1 failed", "FAILED input 'bad': exit 1");
    }

    @Test
    void commandNotFoundIsNamedInTheReport() {
        Run r = run(map("--", "no-such-program-xyz", "{}", ":::", "1", "2"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("exit 127, command not found: no-such-program-xyz", "program was not found");
    }

    @Test
    void noInputsIsAUsageError() {
        Run r = run(map("--", "echo", "{}"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no inputs: give them after ::: or on standard input");
        r = run(map("--", "echo", "{}", ":::"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no inputs", "a ::: group is empty");
    }

    @Test
    void emptyCommandAndBadOptionsAreNamed() {
        Run r = run(map(":::", "a"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no command given");
        r = run("map", "--retries", "-1", "echo", ":::", "a");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--retries must be >= 0, got -1");
        r = run("map", "--frobnicate", "echo", ":::", "a");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--frobnicate");
        r = run("map", "--gpus", "0", "--gpus-per-task", "1", "echo", ":::", "a");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--gpus-per-task 1 needs 1 GPU, but this machine offers 0", "wait forever");
        r = run(map("--", "echo", "{2}", ":::", "a"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("{2}", "refers to input group 2");
    }

    @Test
    void retriesRerunAFailedCommandUntilItSucceeds(@TempDir Path dir) throws Exception {
        // fails on its first two runs, succeeds on the third: a counter file per input
        String script = "n=$(cat \"$0.count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$0.count\"; "
                + "if [ $n -lt 3 ]; then echo try-$n >&2; exit 5; fi; echo done-$n";
        Run r = run(map("--retries", "2", "--", "sh", "-c", script, dir.resolve("{}").toString(), ":::", "j1", "j2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactlyInAnyOrder("done-3", "done-3");
        assertThat(r.err()).contains("2 succeeded, 0 failed (4 retries)", "retrying input 'j1' (attempt 2 of 3)");
        assertThat(Files.readString(dir.resolve("j1.count")).strip()).isEqualTo("3");

        r = run(map("--retries", "1", "--", "sh", "-c", script, dir.resolve("{}").toString(), ":::", "j3"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("FAILED input 'j3': exit 5 (after 2 attempts)", "| try-2");
    }

    @Test
    void inputIsAppendedWhenTheTemplateHasNoPlaceholder() {
        Run r = run(map("--keep-order", "echo", "-n", "x", ":::", "1", "2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("x 1x 2");
    }

    @Test
    void severalGroupsGiveEveryCombination() {
        Run r = run(map("-k", "--", "echo", "{1}-{2}", "{#}", ":::", "a", "b", ":::", "1", "2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactly("a-1 1", "a-2 2", "b-1 3", "b-2 4");
    }

    @Test
    void longOutputIsPrintedWholeFromItsSpillFile() {
        // 3 MB of stdout: more than the 1 MiB a result keeps in memory
        Run r = run(map("--", "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo", ":::", "big"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).hasSize(3_000_000);
    }

    @Test
    void anUnknownBackendListsTheKnownOnesAndABackendSettingIsChecked() {
        Run r = run(map("--cluster", "nosuch", "--", "echo", ":::", "a"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no cluster backend named 'nosuch'", "local (", "slurm (");

        r = run(map("--partition", "debug", "--", "echo", ":::", "a"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("the local backend has no setting 'partition'", "processes");
    }

    @Test
    void aBackendSettingIsPassedThrough() {
        Run r = run(map("--option", "processes=false", "-k", "--", "echo", ":::", "a", "b"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactly("a", "b");
        r = run(map("--option", "processes=maybe", "--", "echo", ":::", "a"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("processes must be true or false");
    }
}
