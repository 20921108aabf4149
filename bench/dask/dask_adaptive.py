#!/usr/bin/python3
"""Dask distributed anchor for Burst's P5 (adaptive burst) benchmark.

Per repeat, on a fresh cluster: LocalCluster(n_workers=0, threads_per_worker=1,
processes=True, dashboard_address=None), a Client, cluster.adapt(minimum=0,
maximum=2): setup, not timed. Then t0 = the submit of client.map(burn, range(20)),
each task burning 0.5 s of its thread's CPU time and returning (start, end, pid,
i) with start/end from time.time_ns() (same machine, same wall clock). A thread
polls len(cluster.scheduler.workers) every 5 ms from t0 until the cluster is back
to 0 workers after the last result and integrates it (allocated worker-seconds,
measured the same way as on the Burst side).

Variants:
  default : adapt(minimum=0, maximum=2), Dask's own Adaptive settings
            (interval 1 s, wait_count 3, target_duration 5 s).
  tuned   : adapt(minimum=0, maximum=2, interval="100ms", wait_count=1).

Prints one JSON line per repeat after "RESULT ".

Usage: /usr/bin/python3 bench/dask/dask_adaptive.py [--repeats N] [--variant default|tuned|all]
"""
import argparse
import json
import os
import statistics
import sys
import threading
import time

import psutil

# This folder also holds distributed.py (the P1-P6 anchor): drop it from the import path, or
# `import distributed` below would import that script instead of Dask's package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import dask  # noqa: E402
import distributed  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

TASKS, BURN_S, MAX_WORKERS, POLL_S = 20, 0.5, 2, 0.005
TIMEOUT_S = 120
VARIANTS = {
    "default": {},
    "tuned": {"interval": "100ms", "wait_count": 1},
}


def burn(i):
    """Spins until this thread has used BURN_S of CPU time."""
    start = time.time_ns()
    end = time.thread_time() + BURN_S
    while time.thread_time() < end:
        pass
    return start, time.time_ns(), os.getpid(), i


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


class Poller(threading.Thread):
    def __init__(self, cluster, t0):
        super().__init__(daemon=True)
        self.cluster, self.t0 = cluster, t0
        self.gathered_at = None
        self.worker_seconds = 0.0
        self.peak = 0
        self.first_worker_at = None
        self.zero_at = None
        self.samples = 0
        self.last_cpu = {}   # pid -> latest cumulative CPU seconds of each child process (kept after exit)

    def sample_cpu(self):
        for c in psutil.Process().children(recursive=True):
            cpu = cpu_seconds(c.pid)
            if cpu == cpu:   # not NaN
                self.last_cpu[c.pid] = cpu

    def count(self):
        return len(self.cluster.scheduler.workers)

    def run(self):
        prev_t, prev_n = self.t0, self.count()
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            now = time.time_ns()
            n = self.count()
            self.samples += 1
            if self.samples % 20 == 1:
                self.sample_cpu()
            self.worker_seconds += prev_n * (now - prev_t) / 1e9   # left Riemann sum
            self.peak = max(self.peak, n)
            if n > 0 and self.first_worker_at is None:
                self.first_worker_at = now
            prev_t, prev_n = now, n
            if self.gathered_at is not None and n == 0:
                self.zero_at = now
                self.sample_cpu()
                return


def run_once(variant, repeat):
    r = {"system": "dask", "variant": variant, "repeat": repeat}
    t_setup = time.perf_counter()
    with LocalCluster(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        r["setup_s"] = time.perf_counter() - t_setup
        cluster.adapt(minimum=0, maximum=MAX_WORKERS, **VARIANTS[variant])
        r["load1"] = os.getloadavg()[0]
        cpu0 = cpu_seconds(os.getpid())

        t0 = time.time_ns()
        poller = Poller(cluster, t0)
        poller.start()
        fs = client.map(burn, range(TASKS), pure=False)
        out = client.gather(fs)
        gathered = time.time_ns()
        poller.gathered_at = gathered
        # Release the results: Dask never retires the last worker while it holds the only copy of
        # a result (workers_to_close keeps memory limit >= 2 x bytes held), so with the futures
        # kept alive the cluster stays at 1 worker for good.
        del fs
        poller.join(TIMEOUT_S)

        busy = sum((e - s) / 1e9 for s, e, _, _ in out)
        first_start = min(s for s, _, _, _ in out)
        last_end = max(e for _, e, _, _ in out)

        def rel(t):
            return None if t is None else (t - t0) / 1e9

        r["first_worker_s"] = rel(poller.first_worker_at)
        r["first_task_start_s"] = rel(first_start)
        r["wall_s"] = rel(last_end)
        r["gather_s"] = rel(gathered)
        r["retire_after_last_result_s"] = None if poller.zero_at is None else (poller.zero_at - gathered) / 1e9
        r["zero_workers_s"] = rel(poller.zero_at)
        r["allocated_worker_s"] = poller.worker_seconds
        r["busy_s"] = busy
        r["mean_task_s"] = busy / TASKS
        r["efficiency"] = busy / poller.worker_seconds if poller.worker_seconds else None
        r["peak_workers"] = poller.peak
        r["worker_pids"] = len({p for _, _, p, _ in out})
        r["poll_samples"] = poller.samples
        r["client_scheduler_cpu_s"] = cpu_seconds(os.getpid()) - cpu0
        # Worker processes are started after t0: their whole CPU, interpreter start included.
        task_pids = {p for _, _, p, _ in out}
        r["worker_jvm_cpu_s_in_window"] = sum(v for k, v in poller.last_cpu.items() if k in task_pids)
        r["other_children_cpu_s_in_window"] = sum(v for k, v in poller.last_cpu.items() if k not in task_pids)
        r["correct"] = [i for _, _, _, i in out] == list(range(TASKS))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--variant", default="all", choices=["default", "tuned", "all"])
    args = ap.parse_args()
    variants = list(VARIANTS) if args.variant == "all" else [args.variant]
    print(f"# dask {dask.__version__} distributed {distributed.__version__}, P5: LocalCluster(n_workers=0, "
          f"threads_per_worker=1, processes=True).adapt(0, {MAX_WORKERS}), {TASKS} tasks x {BURN_S} s CPU, "
          f"{args.repeats} repeats, variants {variants} {VARIANTS}", file=sys.stderr)
    failed = False
    for variant in variants:
        rows = []
        for rep in range(1, args.repeats + 1):
            try:
                r = run_once(variant, rep)
            except Exception as e:  # noqa: BLE001 - a failed repeat is a result too
                r = {"system": "dask", "variant": variant, "repeat": rep, "correct": False, "error": repr(e)}
            failed |= not r.get("correct")
            rows.append(r)
            print("RESULT " + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}),
                  flush=True)
        for k in ("first_task_start_s", "wall_s", "retire_after_last_result_s", "allocated_worker_s", "efficiency"):
            v = sorted(x[k] for x in rows if isinstance(x.get(k), (int, float)))
            if v:
                print(f"# dask {variant} {k:<28} median {statistics.median(v):.3f} [{v[0]:.3f}-{v[-1]:.3f}]",
                      file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
