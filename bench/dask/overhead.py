#!/usr/bin/python3
"""Scheduling-overhead anchor: Dask's threaded scheduler (local threads, not
dask.distributed) on two workloads of trivial tasks.

  map  : 20,000 independent no-op tasks, all results gathered.
  tree : 10,000 leaves reduced pairwise, level by level, to one root
         (19,999 tasks); the root must equal sum(range(10000)).

Graphs are written as raw Dask task graphs (dicts of key -> (func, *args)) and
run with dask.threaded.get(dsk, keys, num_workers=N).  This is the cheapest and
fairest way to drive Dask: dask.delayed / dask.compute add per-task tokenizing
(hashing) and graph-merging costs on top of the very same scheduler.  Building
the graph is inside the timed region, because on the Burst side the timed
region is submit + gather.
"""
import argparse
import json
import os
import statistics
import time

import dask
import dask.threaded

MAP_TASKS = 20_000
TREE_LEAVES = 10_000


def noop(x):
    return x


def add(a, b):
    return a + b


def run_map(workers):
    dsk = {("m", i): (noop, i) for i in range(MAP_TASKS)}
    keys = [("m", i) for i in range(MAP_TASKS)]
    out = dask.threaded.get(dsk, keys, num_workers=workers)
    assert len(out) == MAP_TASKS and out[-1] == MAP_TASKS - 1
    return len(dsk)


def run_tree(workers):
    dsk = {("t", 0, i): (noop, i) for i in range(TREE_LEAVES)}
    level, keys = 0, [("t", 0, i) for i in range(TREE_LEAVES)]
    while len(keys) > 1:
        level += 1
        nxt = []
        for j in range(0, len(keys) - 1, 2):
            k = ("t", level, j // 2)
            dsk[k] = (add, keys[j], keys[j + 1])
            nxt.append(k)
        if len(keys) % 2:          # odd one out is carried up unchanged
            nxt.append(keys[-1])
        keys = nxt
    root = dask.threaded.get(dsk, keys[0], num_workers=workers)
    assert root == sum(range(TREE_LEAVES)) == 49_995_000, root
    return len(dsk)


def measure(fn, workers, repeats):
    tasks = fn(workers)            # warm-up run (also yields the task count)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(workers)
        times.append(time.perf_counter() - t0)
    return tasks, min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    rows = []
    for name, fn in (("map", run_map), ("tree", run_tree)):
        tasks, best, med = measure(fn, args.workers, args.repeats)
        rows.append({
            "system": "dask-threaded", "version": dask.__version__,
            "workload": name, "tasks": tasks, "workers": args.workers,
            "best_s": round(best, 6), "median_s": round(med, 6),
            "tasks_per_s": round(tasks / med, 1),
            "us_per_task": round(med / tasks * 1e6, 3),
        })

    if args.json:
        for r in rows:
            print(json.dumps(r))
        return
    print(f"dask {dask.__version__} threaded scheduler, {args.workers} workers, "
          f"median of {args.repeats} (after 1 warm-up)")
    print(f"{'workload':<9}{'tasks':>7}{'best s':>10}{'median s':>10}"
          f"{'tasks/s':>11}{'us/task':>9}")
    for r in rows:
        print(f"{r['workload']:<9}{r['tasks']:>7}{r['best_s']:>10.4f}"
              f"{r['median_s']:>10.4f}{r['tasks_per_s']:>11.0f}"
              f"{r['us_per_task']:>9.2f}")


if __name__ == "__main__":
    main()
