#!/usr/bin/env bash
#
# bench/slurm.sh: P8, a SlurmCluster adapting from 0 workers on a real single-node Slurm
# (bin/slurm-local start): time from submitting a task to it running, beside Slurm's own
# sbatch-to-running time on the same machine. Dask's counterpart, dask-jobqueue, is not packaged
# in Debian 12 (and PyPI is out of reach here), so it is not run.
#
#   bench/slurm.sh [--repeats N]
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.SlurmBench "$@"   # --build-only: build, check the entry point, exit
repeats=5
while (($#)); do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    *) echo "usage: bench/slurm.sh [--repeats N]" >&2; exit 2 ;;
  esac
done
command -v sbatch >/dev/null 2>&1 || { echo "bench: no sbatch on PATH; start a local Slurm with: bin/slurm-local start" >&2; exit 1; }
bin/slurm-local status >/dev/null 2>&1 || { echo "bench: Slurm is not up; run: bin/slurm-local start" >&2; exit 1; }
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build
exec "${BURST_BENCH_JAVA[@]}" dev.burst.bench.SlurmBench "$repeats"
