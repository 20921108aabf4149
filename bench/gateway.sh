#!/usr/bin/env bash
#
# bench/gateway.sh: create a cluster through the gateway -> first task result, with the
# local-process backend (GatewayStartBench), with 1 spare cluster process and with none; beside it
# the anchor that runs here, Dask distributed's LocalCluster(n_workers=1, processes=True) ->
# Client -> first result (dask-gateway itself is not installable on this machine: no PyPI).
#
#   bench/gateway.sh [--rounds N]
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib-build.sh
source bench/lib-build.sh
burst_bench_build
rounds=5
if [[ ${1:-} == --rounds ]]; then rounds=$2; fi
echo "== Burst gateway, 1 spare cluster process"
"${BURST_BENCH_JAVA[@]}" dev.burst.bench.GatewayStartBench --rounds "$rounds" --spares 1 2>&1 | grep -v WARN
echo
echo "== Burst gateway, no spare"
"${BURST_BENCH_JAVA[@]}" dev.burst.bench.GatewayStartBench --rounds "$rounds" --spares 0 2>&1 | grep -v WARN
echo
echo "== Dask distributed LocalCluster (the anchor that runs here)"
PY=/usr/bin/python3  # Debian's, where python3-distributed lives (a python3 earlier on PATH may lack it)
if $PY -c 'import distributed' 2>/dev/null; then
  $PY - "$rounds" <<'PY'
import sys, time, statistics
from distributed import Client, LocalCluster
rounds = int(sys.argv[1])
times = []
for r in range(-1, rounds):
    t0 = time.perf_counter()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c, Client(c) as client:
        client.submit(lambda: 1).result()
        t1 = time.perf_counter()
    if r >= 0:
        times.append(t1 - t0)
        print(f"round {r + 1}: first result at {t1 - t0:.3f} s")
print(f"\nDask LocalCluster, {rounds} rounds: create -> first result median {statistics.median(times):.3f} s "
      f"(min {min(times):.3f}, max {max(times):.3f})")
PY
else
  echo "python3-distributed is not installed (apt-get install python3-distributed): anchor skipped"
fi
