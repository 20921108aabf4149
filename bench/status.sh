#!/usr/bin/env bash
#
# bench/status.sh: what reading ClusterStatus costs the scheduler. A 1,000,000-task map on the
# embedded cluster (2 workers x 1 thread), timed with no reader and with a thread reading
# cluster.status() at 10 Hz and 100 Hz, runs interleaved.
#
#   bench/status.sh [--tasks N] [--repeats R] [--hz 10,100]
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.StatusReadBench "$@"   # --build-only: build, check the entry point, exit
burst_bench_build
exec "${BURST_BENCH_JAVA[@]}" -Xmx8g dev.burst.bench.StatusReadBench "$@"
