#!/usr/bin/env bash
#
# bench/million.sh: P7, a million-task graph. The scheduler's heap per task (pure SchedulerState,
# a 1,000,000-task map and tree), then the map and the tree run on the embedded cluster and on 2
# worker processes, with the longest time one item held the scheduler loop (JFR events).
#
#   bench/million.sh [--tasks N] [--part heap|run|all]
#
# Dask's counterpart: dask#7998 reports a 2.5M-task graph stalling the scheduler for minutes; it is
# not rerun here (a million-task graph on Dask's scheduler needs more memory and time than this
# 2-core machine's CI budget; see docs/benchmarks.md for the Dask figures that are run).
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.MillionBench "$@"   # --build-only: build, check the entry point, exit
burst_bench_build
part=all
extra=()
while (($#)); do
  case $1 in
    --part) part=$2; shift 2 ;;
    --tasks) extra+=(--tasks "$2"); shift 2 ;;
    *) echo "usage: bench/million.sh [--tasks N] [--part heap|run|all]" >&2; exit 2 ;;
  esac
done
if [[ $part == heap || $part == all ]]; then
  echo "bench: heap per task in the scheduler..." >&2
  "${BURST_BENCH_JAVA[@]}" -Xmx8g -XX:+UseParallelGC dev.burst.bench.MillionBench --part heap "${extra[@]}"
fi
if [[ $part == run || $part == all ]]; then
  echo "bench: embedded cluster..." >&2
  "${BURST_BENCH_JAVA[@]}" -Xmx8g dev.burst.bench.MillionBench --part run "${extra[@]}"
  echo "bench: 2 worker processes..." >&2
  "${BURST_BENCH_JAVA[@]}" -Xmx8g dev.burst.bench.MillionBench --part run --processes "${extra[@]}"
fi
