#!/usr/bin/env bash
#
# bench/distributed.sh: Burst distributed (scheduler + 2 worker processes x 1 thread) vs Dask
# distributed (LocalCluster(n_workers=2, threads_per_worker=1)), side by side, in one run:
#
#   p1  20,000 no-op tasks, map + gather                       tasks/s   (target >= 50,000)
#   p2  10,000-leaf pairwise reduction tree, 19,999 tasks      seconds   (target <= 0.5)
#   p4  40 tasks burning 0.25 s CPU each, efficiency on 2 cores          (target >= 0.99)
#   p6  40 x 0.2 s sleep, one worker SIGKILLed at 2 s          seconds, all correct, <= 4.5 s (ideal 4.0)
#
# For each workload Burst runs first (one JVM, --repeats fresh clusters), then Dask with its
# defaults, then (p1, p2) Dask with distributed.scheduler.worker-saturation=inf ("tuned").
# Every measurement is on a fresh cluster; cluster start is not timed. The table shows medians
# with [min-max] over the repeats.
#
#   bench/distributed.sh [--workload p1|p2|p4|p6|all] [--repeats N] [--only burst|dask]
#
# Needs Debian's python3-dask and python3-distributed (apt-get install -y python3-dask python3-distributed).
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.DistributedBench "$@"   # --build-only: build, check the entry point, exit
workload=all
repeats=3
only=both
usage="usage: bench/distributed.sh [--workload p1|p2|p4|p6|all] [--repeats N] [--only burst|dask]"
while (($#)); do
  case $1 in
    --workload) workload=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case $workload in
  p1|p2|p4|p6) workloads=("$workload") ;;
  all) workloads=(p1 p2 p4 p6) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
case $only in both|burst|dask) ;; *) echo "$usage" >&2; exit 2 ;; esac

if [[ $only != dask ]]; then
  # shellcheck source=lib-build.sh
  source bench/lib-build.sh
  burst_bench_build
fi
if [[ $only != burst ]] && ! /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
  echo "bench: Dask distributed is not installed for /usr/bin/python3; run: apt-get install -y python3-dask python3-distributed" >&2
  exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for w in "${workloads[@]}"; do
  if [[ $only != dask ]]; then
    echo "bench: $w: Burst (2 worker processes x 1 thread, $repeats repeats)..." >&2
    "${BURST_BENCH_JAVA[@]}" dev.burst.bench.DistributedBench --workload "$w" --repeats "$repeats" | tee -a "$out" || status=1
  fi
  if [[ $only != burst ]]; then
    echo "bench: $w: Dask LocalCluster(n_workers=2, threads_per_worker=1) ($repeats repeats per variant)..." >&2
    /usr/bin/python3 bench/dask/distributed.py --workload "$w" --repeats "$repeats" | tee -a "$out" || status=1
  fi
done

/usr/bin/python3 - "$out" <<'PY'
import statistics, sys

rows = []
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))

def pick(system, workload, variants):
    return [r for r in rows if r["system"] == system and r["workload"] == workload and r["variant"] in variants]

# workload: (metric, unit, higher is better, target, target text)
spec = {
    "p1": ("tasks_per_s", "tasks/s", True, 50_000, ">= 50,000 tasks/s"),
    "p2": ("seconds", "s", False, 0.5, "<= 0.5 s"),
    "p4": ("efficiency", "", True, 0.99, ">= 0.99"),
    "p6": ("seconds", "s", False, 4.5, "all correct, <= 4.5 s (ideal 4.0 s)"),
}

def stats(rs, metric):
    vals = [float(r[metric]) for r in rs if metric in r and r[metric] not in ("nan",)]
    if not vals:
        return None, ""
    med = statistics.median(vals)
    bad = sum(r.get("correct") != "true" for r in rs)
    nf = (lambda v: f"{v:,.0f}") if metric == "tasks_per_s" else (lambda v: f"{v:.3f}")
    txt = nf(med) + (f" [{nf(min(vals))}-{nf(max(vals))}]" if len(vals) > 1 else "")
    if bad:
        txt += f" ({bad}/{len(rs)} WRONG)"
    return med, txt

print()
W = 32
print(f"{'workload':<9} {'Burst':<{W}} {'Dask default':<{W}} {'Dask tuned':<{W}} {'ratio':>7}  target")
for w in ("p1", "p2", "p4", "p6"):
    metric, unit, higher, target, ttxt = spec[w]
    b, btxt = stats(pick("burst", w, {"processes", "embedded"}), metric)
    d, dtxt = stats(pick("dask", w, {"default"}), metric)
    t, ttxt2 = stats(pick("dask", w, {"tuned"}), metric)
    if b is None and d is None:
        continue
    ratio = "" if b is None or d is None or b == 0 or d == 0 else f"{(b / d if higher else d / b):.1f}x"
    met = ""
    if b is not None:
        brs = pick("burst", w, {"processes", "embedded"})
        ok = all(r.get("correct") == "true" for r in brs)
        if w == "p6":
            ok = ok and all(r.get("killed") == "true" for r in brs)
        if target is not None:
            ok = ok and (b >= target if higher else b <= target)
        met = " (met)" if ok else " (NOT met)"
    u = f" {unit}" if unit else ""
    print(f"{w:<9} {(btxt + u) if btxt else '-':<{W}} {(dtxt + u) if dtxt else '-':<{W}} "
          f"{(ttxt2 + u) if ttxt2 else '-':<{W}} {ratio:>7}  {ttxt}{met}")
print("medians [min-max] over the repeats; ratio = Burst's advantage over Dask default "
      "(throughput or efficiency: Burst / Dask; seconds: Dask / Burst)")
variants = {r["variant"] for r in rows if r["system"] == "burst"}
if "embedded" in variants:
    print("NOTE: Burst ran embedded (no worker processes), not distributed")
if any(r["system"] == "burst" and r.get("worker_procs") == "0" for r in rows):
    print("NOTE: Burst found no worker processes (worker_procs=0): processes(true) did not start any; "
          "these Burst figures are the in-process cluster and p6 killed nothing")
loads = [float(r["load1"]) for r in rows if "load1" in r]
if loads:
    print(f"load average (1 min) at the start of the timed regions: {min(loads):.2f}-{max(loads):.2f}")
PY
exit $status
