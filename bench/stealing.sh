#!/usr/bin/env bash
#
# bench/stealing.sh: work stealing as a new user meets it, Burst vs Dask distributed in one run.
# Two worker processes of one thread; a 2 s task runs; a map of three 50 ms tasks follows; the time
# from that map's submit to its last result (ideal about 0.15 s: the three on the free worker, or
# 0.1 s spread; 2 s or more if one waits behind the long task).
#
#   bench/stealing.sh [--repeats N]
#
# Needs Debian's python3-dask and python3-distributed for the Dask side.
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.StealingBench "$@"   # --build-only: build, check the entry point, exit
repeats=5
while (($#)); do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    *) echo "usage: bench/stealing.sh [--repeats N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "bench: Burst, 2 worker processes x 1 thread ($repeats repeats)..." >&2
"${BURST_BENCH_JAVA[@]}" dev.burst.bench.StealingBench --repeats "$repeats" | tee -a "$out"
if /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
  echo "bench: Dask LocalCluster(n_workers=2, threads_per_worker=1) ($repeats repeats per variant)..." >&2
  /usr/bin/python3 bench/dask/stealing.py --repeats "$repeats" 2>/dev/null | tee -a "$out"
else
  echo "bench: Dask distributed is not installed for /usr/bin/python3; run: apt-get install -y python3-dask python3-distributed" >&2
fi
/usr/bin/python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT"):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    name = f["system"] + ("" if f["system"] == "burst" else " " + f["variant"])
    rows.setdefault(name, []).append((float(f["shorts_s"]), f["long_still_running"] == "true", f["correct"] == "true"))
print()
print(f"{'system':16} {'shorts done after submit, median [min-max]':44} {'long task still running':24} correct")
for name, r in rows.items():
    s = [x[0] for x in r]
    print(f"{name:16} {statistics.median(s):.3f} [{min(s):.3f}-{max(s):.3f}] s{'':22} {sum(x[1] for x in r)}/{len(r)}{'':20} {all(x[2] for x in r)}")
PY
