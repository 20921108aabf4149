package dev.burst.internal.jupyter;

import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Jupyter kernel for Java with Burst: cells are JShell snippets run in this JVM (Burst's jars on
 * the class path; JShell's usual imports and {@code dev.burst.*}), so the clusters a notebook makes are objects of
 * this process and end with it; their in-memory classes reach the workers through Burst's code
 * shipping. A cell's last expression is shown as a rich display where Burst has one (a cluster, a
 * future: {@link BurstDisplays}).
 *
 * <p>Design note. JJava's {@code jjava-jupyter} (Maven Central) speaks the Jupyter protocol
 * ({@link BaseKernel}); its full Java kernel and the other JShell kernels (rapaio's) are not on the
 * Maven mirror Burst builds from, and what a Burst notebook needs of one is small: run snippets in
 * this JVM (local execution: {@link CapturingExecution}), say when a cell is complete, complete
 * names. No magics, no interrupt of a running cell (a cell waiting on tasks can be ended by
 * restarting the kernel, which stops its clusters).
 */
final class BurstKernel extends BaseKernel {
    /** JShell's own default imports (the jshell tool's DEFAULT startup), and Burst's. */
    static final String IMPORTS = "import java.io.*; import java.math.*; import java.net.*; import java.nio.file.*; import java.util.*;"
            + " import java.util.concurrent.*; import java.util.function.*; import java.util.prefs.*; import java.util.regex.*;"
            + " import java.util.stream.*; import dev.burst.*; import dev.burst.gateway.*; import dev.burst.jupyter.Notebook;";

    private final JShell shell;
    private final CapturingExecution execution;

    private BurstKernel(String name, String version, org.dflib.jjava.jupyter.kernel.history.HistoryManager history,
                        org.dflib.jjava.jupyter.kernel.JupyterIO io, org.dflib.jjava.jupyter.kernel.comm.CommManager comms,
                        org.dflib.jjava.jupyter.kernel.display.Renderer renderer,
                        org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry magics,
                        org.dflib.jjava.jupyter.kernel.util.StringStyler errors, JShell shell, CapturingExecution execution) {
        super(name, version,
                new LanguageInfo("java", Runtime.version().toString(), "text/x-java-source", ".jshell", "java", "text/x-java", "java"),
                List.of(), history, io, comms, renderer, null, magics, false, errors);
        this.shell = shell;
        this.execution = execution;
        BurstDisplays.registerAll(getRenderer());
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder extends BaseKernelBuilder<Builder, BurstKernel> {
        @Override
        public BurstKernel build() {
            CapturingExecution execution = new CapturingExecution();
            JShell shell = JShell.builder().executionEngine(execution, Map.of())
                    .compilerOptions("--class-path", System.getProperty("java.class.path", ""))
                    .build();
            BurstKernel k = new BurstKernel(buildName(), buildVersion(), buildHistoryManager(),
                    buildJupyterIO(buildJupyterIOEncoding()), buildCommManager(), buildRenderer(), buildMagicsRegistry(),
                    buildErrorStyler(), shell, execution);
            k.evalRaw(IMPORTS);
            return k;
        }

        @Override
        protected String buildName() {
            return name != null ? name : "Burst";
        }

        @Override
        protected String buildVersion() {
            return version != null ? version : "0.1";
        }
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " with Burst: dev.burst.* is imported; LocalCluster.builder()... to start";
    }

    /** Runs a cell snippet by snippet; returns the last expression's value (or null), throws on an error. */
    @Override
    public Object evalRaw(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = code;
        Object value = null;
        boolean hasValue = false;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                throw new IllegalArgumentException("incomplete input: " + rest.strip());
            }
            execution.takeLast();
            List<SnippetEvent> events = shell.eval(info.source());
            hasValue = false;
            for (SnippetEvent e : events) {
                if (e.causeSnippet() != null) {
                    continue; // a dependent snippet updated by this one
                }
                if (e.status() == Snippet.Status.REJECTED) {
                    throw new IllegalArgumentException(diagnostics(e.snippet()));
                }
                if (e.exception() != null) {
                    throw new CellFailedException(e.exception());
                }
                Snippet.SubKind kind = e.snippet().subKind();
                hasValue = kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND || kind == Snippet.SubKind.VAR_VALUE_SUBKIND
                        || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND;
            }
            value = hasValue ? execution.takeLast() : null;
            rest = info.remaining();
        }
        return hasValue ? value : null;
    }

    private String diagnostics(Snippet s) {
        return shell.diagnostics(s).map(d -> d.getMessage(null)).collect(Collectors.joining("\n",
                "cannot compile: " + s.source().strip() + "\n", ""));
    }

    /** A cell's own exception, with the class it had (JShell reports it by name). */
    static final class CellFailedException extends RuntimeException {
        CellFailedException(jdk.jshell.JShellException e) {
            super((e instanceof EvalException ee ? ee.getExceptionClassName() + ": " : "") + e.getMessage(), e);
            setStackTrace(e.getStackTrace());
        }
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        List<SourceCodeAnalysis.Documentation> docs = shell.sourceCodeAnalysis().documentation(code, at, false);
        if (docs == null || docs.isEmpty()) {
            return null;
        }
        return new DisplayData(docs.stream().map(SourceCodeAnalysis.Documentation::signature).collect(Collectors.joining("\n")));
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> names = new ArrayList<>();
        for (SourceCodeAnalysis.Suggestion s : shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor)) {
            names.add(s.continuation());
        }
        return names.isEmpty() ? null : new ReplacementOptions(names.stream().distinct().toList(), anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        return switch (shell.sourceCodeAnalysis().analyzeCompletion(code).completeness()) {
            case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        super.onShutdown(isRestarting);
        shell.close();
    }
}
