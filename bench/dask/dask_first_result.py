"""Dask's LocalCluster(n_workers=1, processes=True) -> Client -> first result: the anchor beside
bench/gateway.sh (dask-gateway itself cannot be installed here)."""
import statistics
import sys
import time

from distributed import Client, LocalCluster


def one():
    return 1


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    times = []
    for r in range(-1, rounds):
        t0 = time.perf_counter()
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c, Client(c) as client:
            client.submit(one).result()
            t1 = time.perf_counter()
        if r >= 0:
            times.append(t1 - t0)
            print(f"round {r + 1}: first result at {t1 - t0:.3f} s", flush=True)
    print(f"\nDask LocalCluster, {rounds} rounds: create -> first result median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
