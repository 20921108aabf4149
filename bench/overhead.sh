#!/usr/bin/env bash
#
# bench/overhead.sh: scheduling overhead, Burst's embedded cluster vs Dask's threaded scheduler,
# in one run on this machine. Workloads: 20,000 no-op tasks (map + gather) and a 10,000-leaf
# pairwise reduction tree (19,999 tasks). Prints both and the ratio.
#
#   bench/overhead.sh [--workers N] [--repeats R]
#
# Needs Debian's python3-dask (apt-get install -y python3-dask python3-distributed).
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.OverheadBench "$@"   # --build-only: build, check the entry point, exit
workers=2
repeats=20
while (($#)); do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    *) echo "usage: bench/overhead.sh [--workers N] [--repeats R] [--build-only]" >&2; exit 2 ;;
  esac
done

if ! /usr/bin/python3 -c 'import dask' 2>/dev/null; then
  echo "bench: Dask is not installed for /usr/bin/python3; run: apt-get install -y python3-dask python3-distributed" >&2
  exit 1
fi

burst_bench_build
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "bench: Burst embedded cluster ($workers workers x 1 thread, $repeats repeats)..." >&2
for workload in map tree; do   # one JVM per workload, so neither inherits the other's JIT or heap state
  "$JAVA_HOME/bin/java" -cp "burst-bench/target/burst-bench.jar:burst-bench/target/lib/*" \
    dev.burst.bench.OverheadBench --workload "$workload" --workers "$workers" --threads 1 --repeats "$repeats" --json >>"$out"
done
echo "bench: Dask threaded scheduler ($workers threads, $repeats repeats)..." >&2
/usr/bin/python3 bench/dask/overhead.py --workers "$workers" --repeats "$repeats" --json >>"$out"

/usr/bin/python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
by = {(r["system"], r["workload"]): r for r in rows}
print(f"{'workload':<8} {'tasks':>6}  {'Burst us/task':>13} {'Burst tasks/s':>14}  {'Dask us/task':>12} {'Dask tasks/s':>13}  {'Dask/Burst':>10}")
for w in ("map", "tree"):
    b, d = by[("burst-embedded", w)], by[("dask-threaded", w)]
    print(f"{w:<8} {b['tasks']:>6}  {b['us_per_task']:>13.2f} {b['tasks_per_s']:>14,.0f}  "
          f"{d['us_per_task']:>12.2f} {d['tasks_per_s']:>13,.0f}  {d['us_per_task'] / b['us_per_task']:>9.1f}x")
print(f"(medians; Java {by[('burst-embedded','map')]['java']}, Dask {by[('dask-threaded','map')]['version']})")
PY
