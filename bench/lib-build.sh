# bench/lib-build.sh: sourced by the bench scripts (run from the repository root).
#   burst_bench_build   finds a JDK >= 21, builds burst-bench when its jar is missing or any
#                       module's sources or poms are newer, and sets BURST_BENCH_JAVA: the java
#                       command line (flags and absolute class path) to put a bench class after.
# shellcheck source=../bin/lib/find-jdk.sh
source bin/lib/find-jdk.sh

burst_bench_build() {
  burst_find_jdk
  burst_maven_opts
  local jar=burst-bench/target/burst-bench.jar
  if [[ ! -f $jar || -n $(find pom.xml burst-*/pom.xml burst-*/src/main -newer "$jar" -print -quit 2>/dev/null) ]]; then
    echo "bench: building burst-bench..." >&2
    mvn -q -B -ntp -Dmaven.test.skip=true -pl burst-bench -am package
  fi
  # Absolute: worker processes and Slurm jobs reuse this class path from other directories.
  BURST_BENCH_JAVA=("$JAVA_HOME/bin/java" --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --enable-native-access=ALL-UNNAMED -cp "$PWD/$jar:$PWD/burst-bench/target/lib/*")
}
