# bench/lib-build.sh: sourced by the bench scripts (run from the repository root).
#   burst_bench_build   finds a JDK >= 21, builds burst-bench when its jar is missing or any
#                       module's sources or poms are newer, and sets BURST_BENCH_JAVA: the java
#                       command line (flags and absolute class path) to put a bench class after.
#   burst_bench_build_only CLASS "$@"
#                       when the script's arguments hold --build-only: builds, checks that the
#                       script's entry point CLASS loads from the built class path, and exits 0
#                       (what .ci/run calls for every bench script, on a fresh clone, before the
#                       tests); otherwise returns and the script goes on.
# shellcheck source=../bin/lib/find-jdk.sh
source bin/lib/find-jdk.sh

burst_bench_build() {
  burst_find_jdk
  burst_maven_opts
  local jar=burst-bench/target/burst-bench.jar stamp=burst-bench/target/.bench-built ref
  # Maven leaves an unchanged jar's time alone: the stamp says when the last build finished.
  ref=$jar
  [[ -f $stamp && $stamp -nt $jar ]] && ref=$stamp
  if [[ ! -f $jar || -n $(find pom.xml burst-*/pom.xml burst-*/src/main -newer "$ref" -print -quit 2>/dev/null) ]]; then
    echo "bench: building burst-bench..." >&2
    local started
    started=$(mktemp "${TMPDIR:-/tmp}/burst-bench-build.XXXXXX") # sources edited from here on count as newer
    mvn -q -B -ntp -Dmaven.test.skip=true -pl burst-bench -am package
    mv -f "$started" "$stamp"
  fi
  # Absolute: worker processes and Slurm jobs reuse this class path from other directories.
  BURST_BENCH_JAVA=("$JAVA_HOME/bin/java" --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --enable-native-access=ALL-UNNAMED -cp "$PWD/$jar:$PWD/burst-bench/target/lib/*")
}

burst_bench_build_only() {
  local entry=$1 arg
  shift
  for arg in "$@"; do
    if [[ $arg == --build-only ]]; then
      burst_bench_build
      # javap resolves the class and its superclasses from the bench's class path: a missing
      # class or jar fails here, not in the middle of a timed run.
      if ! "$JAVA_HOME/bin/javap" -cp "$PWD/burst-bench/target/burst-bench.jar:$PWD/burst-bench/target/lib/*" "$entry" >/dev/null; then
        echo "bench: $entry does not load from burst-bench's class path" >&2
        exit 1
      fi
      echo "bench: $(basename -- "$0"): built; entry point $entry found" >&2
      exit 0
    fi
  done
}
