#!/usr/bin/env bash
#
# bench/notebook.sh: a notebook's first result on a 2-worker process cluster, from the kernel's start,
# Burst's Java kernel beside Dask's LocalCluster(processes=True) in ipykernel, runs interleaved. Each
# run executes a one-cell notebook headless (jupyter nbconvert --execute) in a fresh kernel; the cell
# prints the kernel's age at the result (JVM uptime; the Python process's age) and the cell's own time
# (cluster start + one task). Prints each run, then medians [min-max].
#
#   bench/notebook.sh [--repeats N]
#
# Needs Debian's jupyter-nbconvert, python3-nbclient, python3-ipykernel, python3-distributed.
set -euo pipefail
cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repeats=3
usage="usage: bench/notebook.sh [--repeats N] [--build-only]"
build_only=0
while (($#)); do
  case $1 in
    --repeats) repeats=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
# The kernel runs on bin/burst's distribution: building it is the build step.
bin/burst --version >/dev/null
if ((build_only)); then
  echo "bench: $(basename -- "$0"): built (bin/burst's distribution)" >&2
  exit 0
fi
# Debian's Python, which has Dask and ipykernel (not a pyenv or venv python3 that may come first on PATH).
py=/usr/bin/python3
[[ -x /usr/bin/jupyter-nbconvert && -x $py ]] \
  || { echo "bench: jupyter-nbconvert is missing; run: apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel python3-distributed" >&2; exit 1; }
$py -c 'import dask.distributed, ipykernel, psutil' 2>/dev/null \
  || { echo "bench: Dask or ipykernel is missing; run: apt-get install -y python3-distributed python3-ipykernel" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/burst-notebook-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export JUPYTER_DATA_DIR=$work/jupyter BURST_HOME=$work/burst-home
bin/burst jupyter install --name burst --kernels-dir "$JUPYTER_DATA_DIR/kernels" >/dev/null
mkdir -p "$JUPYTER_DATA_DIR/kernels/dask-python"
cat >"$JUPYTER_DATA_DIR/kernels/dask-python/kernel.json" <<JSON
{"argv": ["$py", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python (Debian, Dask)", "language": "python"}
JSON
$py bench/notebook/make_notebooks.py "$work"
echo "kernel start -> first result on 2 worker processes x 1 thread ($(nproc) cores), $repeats runs each, interleaved"
declare -A kernel cell
for ((r = 1; r <= repeats; r++)); do
  for who in burst dask; do
    /usr/bin/jupyter-nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 --output "$work/$who-out.ipynb" \
      "$work/$who.ipynb" >"$work/$who.log" 2>&1 || { cat "$work/$who.log" >&2; exit 1; }
    line=$($py -c 'import json,sys; nb=json.load(open(sys.argv[1]))
t=lambda x: "".join(x) if isinstance(x, list) else x
print("".join(t(o.get("text","")) for o in nb["cells"][0]["outputs"] if o.get("name")=="stdout"))' "$work/$who-out.ipynb" | grep FIRST_RESULT)
    read -r _ k c _ <<<"$line"
    kernel[$who]+="$k "
    cell[$who]+="$c "
    printf 'run %d %-5s kernel start -> first result %6.2f s   cell (cluster start + 1 task) %6.2f s\n' "$r" "$who" "$k" "$c"
  done
done
summary() { $py -c 'import statistics,sys; v=sorted(map(float,sys.argv[1:])); print(f"{statistics.median(v):.2f} s [{v[0]:.2f}-{v[-1]:.2f}]")' "$@"; }
echo
for who in burst dask; do
  # shellcheck disable=SC2086
  printf '%-5s kernel start -> first result %s; cell %s\n' "$who" "$(summary ${kernel[$who]})" "$(summary ${cell[$who]})"
done
