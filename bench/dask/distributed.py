#!/usr/bin/python3
"""Dask distributed anchor for Burst's distributed benchmarks P1, P2, P4, P6.

Every measurement runs on a fresh LocalCluster(n_workers=2, threads_per_worker=1,
processes=True): a scheduler in this process and two worker processes, each
under a nanny. Starting the cluster is not timed; a few warm-up tasks run on it
before the timed region.

  p1 : 20,000 no-op tasks, client.map + client.gather.
  p2 : 10,000 leaves (client.map) reduced pairwise level by level with
       client.submit(add, a, b) (19,999 tasks); root == 49,995,000.
  p4 : 40 tasks each burning 0.25 s of thread CPU time; efficiency =
       work / (wall * 2 cores) = 10 / (2 * wall).
  p6 : 40 tasks of 0.2 s sleep; 2 s after submit one worker process (not its
       nanny) gets SIGKILL; the nanny restarts it. All 40 results are checked.
       Ideal wall 4.0 s.

P1 and P2 also run with distributed.scheduler.worker-saturation = inf (task
queuing off) as variant=tuned; variant=default is Dask's own configuration.

Prints one line per measurement:

  RESULT system=dask workload=p1 variant=default repeat=1 seconds=... tasks=... tasks_per_s=... correct=true load1=...

Usage: /usr/bin/python3 bench/dask/distributed.py [--workload p1|p2|p4|p6|all] [--repeats N] [--variant default|tuned|all]
"""
import argparse
import os
import signal
import sys
import threading
import time

# This file is named distributed.py: drop its own folder from the import path, or
# `import distributed` below would import this script instead of Dask's package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import dask  # noqa: E402
import distributed  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

P1_TASKS = 20_000
P2_LEAVES = 10_000
P4_TASKS, P4_BURN_S, CORES = 40, 0.25, 2
P6_TASKS, P6_SLEEP_S, P6_KILL_AFTER_S = 40, 0.2, 2.0


def noop(x):
    return x


def add(a, b):
    return a + b


def burn(i):
    """Spins until this thread has used P4_BURN_S of CPU time."""
    end = time.thread_time() + P4_BURN_S
    while time.thread_time() < end:
        pass
    return i


def sleepy(i):
    time.sleep(P6_SLEEP_S)
    return i * 2


def p1(client):
    t0 = time.perf_counter()
    fs = client.map(noop, range(P1_TASKS))
    out = client.gather(fs)
    secs = time.perf_counter() - t0
    ok = len(out) == P1_TASKS and out == list(range(P1_TASKS))
    return {"seconds": secs, "tasks": P1_TASKS, "tasks_per_s": P1_TASKS / secs, "correct": ok}


def p2(client):
    t0 = time.perf_counter()
    level = client.map(noop, range(P2_LEAVES))
    tasks = len(level)
    while len(level) > 1:
        nxt = [client.submit(add, level[j], level[j + 1]) for j in range(0, len(level) - 1, 2)]
        tasks += len(nxt)
        if len(level) % 2:          # odd one out is carried up unchanged
            nxt.append(level[-1])
        level = nxt
    root = level[0].result()
    secs = time.perf_counter() - t0
    return {"seconds": secs, "tasks": tasks, "tasks_per_s": tasks / secs,
            "correct": tasks == 19_999 and root == sum(range(P2_LEAVES)) == 49_995_000}


def p4(client):
    t0 = time.perf_counter()
    fs = client.map(burn, range(P4_TASKS))
    out = client.gather(fs)
    secs = time.perf_counter() - t0
    work = P4_TASKS * P4_BURN_S
    return {"seconds": secs, "tasks": P4_TASKS, "efficiency": work / (secs * CORES),
            "correct": out == list(range(P4_TASKS))}


def p6(client):
    pids = client.run(os.getpid)            # {worker address: worker process pid}
    victim_addr, victim = sorted(pids.items())[0]
    killed = {}

    def kill():
        time.sleep(P6_KILL_AFTER_S)
        os.kill(victim, signal.SIGKILL)
        killed["at"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    fs = client.map(sleepy, range(P6_TASKS))
    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    out = client.gather(fs)
    secs = time.perf_counter() - t0
    killer.join()
    return {"seconds": secs, "tasks": P6_TASKS, "killed_pid": victim,
            "killed_at_s": killed.get("at", float("nan")),
            "correct": out == [i * 2 for i in range(P6_TASKS)]}


WORKLOADS = {"p1": p1, "p2": p2, "p4": p4, "p6": p6}
TUNABLE = ("p1", "p2")


def run_once(name, variant):
    conf = {"distributed.scheduler.worker-saturation": float("inf")} if variant == "tuned" else {}
    with dask.config.set(conf):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
                Client(cluster) as client:
            client.wait_for_workers(2)
            client.gather(client.map(noop, range(20), pure=False))   # warm-up
            client.gather(client.map(add, range(10), range(10), pure=False))
            load1 = os.getloadavg()[0]
            res = WORKLOADS[name](client)
            res["load1"] = load1
            return res


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 100 else f"{v:.1f}"
    return str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="all", choices=["p1", "p2", "p4", "p6", "all"])
    ap.add_argument("--variant", default="all", choices=["default", "tuned", "all"],
                    help="tuned = worker-saturation inf (P1/P2 only)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    print(f"# dask {dask.__version__} distributed {distributed.__version__}, "
          f"LocalCluster(n_workers=2, threads_per_worker=1, processes=True), {args.repeats} repeats",
          file=sys.stderr)
    failed = False
    for name in names:
        variants = ["default", "tuned"] if name in TUNABLE else ["default"]
        if args.variant != "all":
            variants = [v for v in variants if v == args.variant]
        for variant in variants:
            for r in range(1, args.repeats + 1):
                res = run_once(name, variant)
                failed |= not res["correct"]
                fields = " ".join(f"{k}={fmt(v)}" for k, v in res.items())
                print(f"RESULT system=dask workload={name} variant={variant} repeat={r} {fields}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
