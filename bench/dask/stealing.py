#!/usr/bin/python3
"""Dask anchor for bench/stealing.sh: LocalCluster(n_workers=2, threads_per_worker=1, processes=True);
a 2 s task runs, then a map of three 50 ms tasks is submitted; measured: submit to the last short
result, and whether the long task was still running then. variant=default is Dask's configuration
(root tasks queued at the scheduler); variant=tuned sets worker-saturation = inf, so tasks go to
workers at once and only Dask's work stealing (every 100 ms) can move one queued behind the long task.

Usage: /usr/bin/python3 bench/dask/stealing.py [--repeats N]
"""
import argparse
import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import dask  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402


def slow(x):
    time.sleep(2.0)
    return "long"


def quick(i):
    time.sleep(0.05)
    return i * 10


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    for variant, saturation in (("default", None), ("tuned", float("inf"))):
        config = {"distributed.scheduler.worker-saturation": saturation} if saturation else {}
        for r in range(1, args.repeats + 1):
            with dask.config.set(config), LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                       dashboard_address=None) as cluster, Client(cluster) as client:
                client.gather(client.map(quick, [1, 2, 3, 4], pure=False))
                long_one = client.submit(slow, 0, pure=False, key="long-0")
                while not client.processing() or not any(client.processing().values()):
                    time.sleep(0.005)
                time.sleep(0.1)
                t0 = time.perf_counter()
                shorts = client.map(quick, [1, 2, 3], pure=False)
                got = client.gather(shorts)
                seconds = time.perf_counter() - t0
                still = not long_one.done()
                correct = got == [10, 20, 30] and long_one.result() == "long"
                print(f"RESULT system=dask workload=stealing variant={variant} repeat={r} shorts_s={seconds:.3f} "
                      f"long_still_running={str(still).lower()} correct={str(correct).lower()}", flush=True)


if __name__ == "__main__":
    main()
