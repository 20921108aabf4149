#!/usr/bin/env bash
#
# bench/dashboard.sh: what the dashboard costs. P1 (20,000 no-op tasks, map + gather) on a fresh
# LocalCluster of 2 worker processes x 1 thread, three variants in turn in one run:
#   off     no dashboard (burst.dashboard=off)
#   closed  the dashboard serving, no page open
#   open    its status page open in headless Chromium, live at 1 Hz
# Prints each round, then medians [min-max] per variant and open vs closed / off.
#
#   bench/dashboard.sh [--repeats N]
#
# Needs Debian's chromium (apt-get install -y chromium).
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build_only dev.burst.bench.DashboardBench "$@"   # --build-only: build, check the entry point, exit
repeats=5
usage="usage: bench/dashboard.sh [--repeats N]"
while (($#)); do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/chromium ]] || { echo "bench: /usr/bin/chromium is missing; run: apt-get install -y chromium" >&2; exit 1; }
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "bench: P1 with the dashboard off / closed / open in Chromium ($repeats rounds)..." >&2
"${BURST_BENCH_JAVA[@]}" dev.burst.bench.DashboardBench --repeats "$repeats" | tee "$out"
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    rows.setdefault(f["variant"], []).append(float(f["tasks_per_s"]))
print()
print("| variant | P1 tasks/s, median [min-max] | rounds |")
print("|---|---|---:|")
med = {}
for v in ("off", "closed", "open"):
    xs = rows.get(v, [])
    if xs:
        med[v] = statistics.median(xs)
        print(f"| {v} | {med[v]:,.0f} [{min(xs):,.0f}-{max(xs):,.0f}] | {len(xs)} |")
if "open" in med and "closed" in med:
    print(f"\nopen vs closed: {100 * (med['open'] / med['closed'] - 1):+.1f} % throughput")
if "open" in med and "off" in med:
    print(f"open vs off:    {100 * (med['open'] / med['off'] - 1):+.1f} % throughput")
PY
