# Runs one cell in a kernel that a Jupyter server started, through its connection file, and prints
# the cell's text result (or its error) as one JSON line. Used by KernelCullingTest.
import json
import queue
import sys
import time

from jupyter_client import BlockingKernelClient

connection_file, code = sys.argv[1], sys.argv[2]
kc = BlockingKernelClient(connection_file=connection_file)
kc.load_connection_file()
kc.start_channels(hb=False)
# Not wait_for_ready: without a kernel manager it takes a JVM still starting for a dead kernel.
deadline = time.time() + 120
while True:
    kc.kernel_info()
    try:
        if kc.get_shell_msg(timeout=5)["msg_type"] == "kernel_info_reply":
            break
    except queue.Empty:
        if time.time() > deadline:
            raise SystemExit("the kernel did not answer kernel_info within 120 s")
msg_id = kc.execute(code)
result, error = None, None
while True:
    msg = kc.get_iopub_msg(timeout=180)
    if msg["parent_header"].get("msg_id") != msg_id:
        continue
    kind, content = msg["msg_type"], msg["content"]
    if kind == "execute_result":
        result = content["data"].get("text/plain")
    elif kind == "error":
        error = content["ename"] + ": " + content["evalue"]
    elif kind == "status" and content["execution_state"] == "idle":
        break
kc.stop_channels()
print(json.dumps({"result": result, "error": error}))
