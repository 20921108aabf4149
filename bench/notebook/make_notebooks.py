"""Writes the two one-cell notebooks bench/notebook.sh times: a 2-worker process cluster's first result,
in Burst's Java kernel and in Dask's (ipykernel). Each cell prints one line:
    FIRST_RESULT <kernel start -> result, s> <cell start -> result, s>
"""
import sys

import nbformat

out = sys.argv[1]
burst = """long cellStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1).recordUsage(false).build();
Client client = Client.connect(cluster);
int answer = client.submit(() -> 6 * 7).get();
long at = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
System.out.println("FIRST_RESULT " + at / 1000.0 + " " + (at - cellStart) / 1000.0 + " answer " + answer);
client.close();
cluster.close();"""
dask = """import time, psutil
cell_start = time.time()
from dask.distributed import LocalCluster, Client
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
client = Client(cluster)
answer = client.submit(lambda: 6 * 7).result()
at = time.time()
print("FIRST_RESULT", round(at - psutil.Process().create_time(), 3), round(at - cell_start, 3), "answer", answer)
client.close()
cluster.close()"""
for name, kernel, src in (("burst", "burst", burst), ("dask", "dask-python", dask)):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "java" if name == "burst" else "python"}
    nb.cells = [nbformat.v4.new_code_cell(src)]
    nbformat.write(nb, f"{out}/{name}.ipynb")
