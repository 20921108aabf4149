#!/usr/bin/env bash
#
# bench/adaptive.sh: P5, adaptive burst. Burst vs Dask distributed, side by side, in one run:
#
#   a cluster that starts with 0 workers and adapts between 0 and 2 local worker processes
#   (1 thread each); 20 tasks each burning 0.5 s of CPU, submitted at once by client.map.
#   Ideal wall = 20 x 0.5 s / 2 workers = 5 s.
#
#   Burst: LocalCluster.builder().processes(true).workers(0).threadsPerWorker(1), adapt(0, 2)
#          (dev.burst.bench.AdaptiveBench)
#   Dask:  LocalCluster(n_workers=0, threads_per_worker=1, processes=True).adapt(minimum=0, maximum=2),
#          Dask's defaults, then "tuned": adapt(..., interval="100ms", wait_count=1)
#          (bench/dask/dask_adaptive.py)
#
# Measured from t0 = the submit, on a fresh cluster per repeat (cluster start and adapt() not
# timed): first task start, wall (last task end), last result -> 0 workers, worker-seconds
# allocated (number of connected workers polled every 5 ms and integrated, the same way on both
# sides), busy (sum of the tasks' own durations), efficiency = busy / allocated, peak workers.
# Targets (the issue): first task <= 0.3 s, efficiency >= 0.9, wall <= 1.1 x ideal = 5.5 s.
#
#   bench/adaptive.sh [--repeats N] [--only burst|dask] [--timeline]
#
# --timeline: Burst prints each task's pid, start and end and the worker-count changes to stderr.
#
# Needs Debian's python3-dask and python3-distributed (apt-get install -y python3-dask python3-distributed).
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.AdaptiveBench "$@"   # --build-only: build, check the entry point, exit
repeats=3
only=both
timeline=()
usage="usage: bench/adaptive.sh [--repeats N] [--only burst|dask] [--timeline]"
while (($#)); do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --timeline) timeline=(--timeline); shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
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
if [[ $only != dask ]]; then
  echo "bench: p5: Burst (adapt 0..2 worker processes x 1 thread, $repeats repeats)..." >&2
  "${BURST_BENCH_JAVA[@]}" dev.burst.bench.AdaptiveBench --repeats "$repeats" ${timeline[@]+"${timeline[@]}"} | tee -a "$out" || status=1
fi
if [[ $only != burst ]]; then
  echo "bench: p5: Dask LocalCluster(n_workers=0).adapt(0, 2), default then tuned ($repeats repeats each)..." >&2
  /usr/bin/python3 bench/dask/dask_adaptive.py --repeats "$repeats" | tee -a "$out" || status=1
fi

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys

rows = [json.loads(l[len("RESULT "):]) for l in open(sys.argv[1]) if l.startswith("RESULT ")]
for r in rows:   # the tasks' CPU work (20 x 0.5 s) over what was allocated: not inflated by slowed tasks
    if isinstance(r.get("allocated_worker_s"), (int, float)) and r["allocated_worker_s"] > 0:
        r["work_efficiency"] = 20 * 0.5 / r["allocated_worker_s"]
cols = [("burst", "default", "Burst"), ("dask", "default", "Dask default"),
        ("dask", "tuned", "Dask tuned (interval=100ms, wait_count=1)")]
IDEAL = 20 * 0.5 / 2
# key, label, format, target check on Burst's median (None: no target), target text
metrics = [
    ("first_worker_s", "first worker connected after submit (s)", "{:.3f}", None, ""),
    ("first_task_start_s", "first task start after submit (s)", "{:.3f}", lambda v: v <= 0.3, "<= 0.3 s"),
    ("wall_s", "wall: last task end after submit (s)", "{:.2f}", lambda v: v <= 1.1 * IDEAL,
     f"<= {1.1 * IDEAL:.1f} s (1.1 x ideal {IDEAL:.0f} s)"),
    ("retire_after_last_result_s", "last result -> 0 workers (s)", "{:.2f}", None, ""),
    ("allocated_worker_s", "allocated worker-s (polled, t0 -> 0 workers)", "{:.2f}", None, ""),
    ("busy_s", "busy worker-s (sum of task durations)", "{:.2f}", None, ""),
    ("mean_task_s", "mean task wall time, 0.5 s CPU each (s)", "{:.3f}", None, ""),
    ("efficiency", "efficiency = busy / allocated", "{:.3f}", lambda v: v >= 0.9, ">= 0.9"),
    ("work_efficiency", "10 CPU-s of task work / allocated", "{:.3f}", None, ""),
    ("peak_workers", "peak workers", "{:.0f}", lambda v: v <= 2, "<= 2"),
    ("usage_allocated_core_s", "Burst usage(): allocated core-s", "{:.2f}", None, ""),
    ("usage_busy_core_s", "Burst usage(): busy core-s", "{:.2f}", None, ""),
    ("usage_efficiency", "Burst usage(): efficiency", "{:.3f}", None, ""),
    ("spare_rss_mib_total", "warm spare JVMs at t0: RSS total (MiB)", "{:.0f}", None, ""),
    ("spare_warmup_cpu_s_total", "warm spare JVMs at t0: CPU burned warming (s)", "{:.2f}", None, ""),
    ("replacement_spare_started_s", "replacement spare JVM started after submit (s)", "{:.2f}", None, ""),
    ("new_spare_cpu_s_in_window", "replacement spares: CPU in the window (s)", "{:.2f}", None, ""),
    ("replacement_spare_cpu_s_total", "replacement spares: CPU once warm (s)", "{:.2f}", None, ""),
    ("worker_jvm_cpu_s_in_window", "worker processes' whole CPU in the window (s; 10 s are tasks)", "{:.2f}", None, ""),
    ("other_children_cpu_s_in_window", "other child processes' CPU in the window (s)", "{:.2f}", None, ""),
    ("client_scheduler_cpu_s", "client+scheduler process CPU in the window (s)", "{:.2f}", None, ""),
    ("load1", "load average (1 min) before t0", "{:.2f}", None, ""),
]

def cell(system, variant, key, fmt):
    rs = [r for r in rows if r["system"] == system and r["variant"] == variant]
    vals = [r[key] for r in rs if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
    missing = sum(1 for r in rs if key in r and r[key] is None)
    if not vals:
        return None, ("n/a (never)" if missing else "-")
    med = statistics.median(vals)
    txt = fmt.format(med) + (f" [{fmt.format(min(vals))}–{fmt.format(max(vals))}]" if len(vals) > 1 else "")
    if missing:
        txt += f" ({missing} never)"
    return med, txt

print()
print("| metric | " + " | ".join(c[2] for c in cols) + " | target (Burst) |")
print("|---|" + "---|" * len(cols) + "---|")
for key, label, fmt, check, ttxt in metrics:
    cells = [cell(s, v, key, fmt) for s, v, _ in cols]
    if all(t == "-" for _, t in cells):
        continue
    target = ""
    if check is not None:
        b = cells[0][0]
        target = ttxt + ("" if b is None else (": met" if check(b) else ": **NOT met**"))
    print(f"| {label} | " + " | ".join(t for _, t in cells) + f" | {target} |")
n = {c[2]: sum(1 for r in rows if r["system"] == c[0] and r["variant"] == c[1]) for c in cols}
bad = [f"{r['system']}/{r['variant']}#{r['repeat']}" for r in rows if not r.get("correct")]
print()
print("medians [min–max]; repeats: " + ", ".join(f"{k} {v}" for k, v in n.items())
      + ("; WRONG or failed: " + ", ".join(bad) if bad else "; all results correct"))
PY
exit $status
