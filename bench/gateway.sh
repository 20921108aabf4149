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
burst_bench_build_only dev.burst.bench.GatewayStartBench "$@"   # --build-only: build, check the entry point, exit
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
  $PY -P bench/dask/dask_first_result.py "$rounds"  # -P: bench/dask/distributed.py must not shadow the package
else
  echo "python3-distributed is not installed (apt-get install python3-distributed): anchor skipped"
fi
