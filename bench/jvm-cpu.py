#!/usr/bin/env python3
"""bench/jvm-cpu.py: where a command's CPU goes, per JVM.

Runs a command (e.g. `bin/burst demo --processes --no-progress`), reads every java process's CPU
time (utime + stime from /proc/<pid>/stat) every 0.1 s, and prints the command's output with the
time of each line, then each JVM's CPU per 0.5 s slice and in all. A JVM is named by its role:
client (bin/burst), worker N, spare (a warm spare), aot-create (the AOT cache's assembly).

    bench/jvm-cpu.py bin/burst demo --cpu-seconds 12 --workers 2 --no-progress --processes
"""
import os
import subprocess
import sys
import threading
import time

HZ = os.sysconf('SC_CLK_TCK')


def role(cmdline):
    joined = ' '.join(cmdline)
    if 'BurstCli' in joined:
        return 'client'
    if '--standby' in cmdline:
        return 'spare'
    if any('AOTMode=create' in c for c in cmdline):
        return 'aot-create'
    if 'WorkerMain' in joined:
        name = cmdline[cmdline.index('--name') + 1] if '--name' in cmdline else '?'
        return 'worker ' + name.rsplit('-', 1)[-1]
    return 'java ' + (cmdline[-1] if cmdline else '?')[:30]


def snapshot():
    out = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as f:
                stat = f.read()
            with open(f'/proc/{pid}/cmdline') as f:
                cmdline = [c for c in f.read().split('\0') if c]
        except OSError:
            continue
        if not cmdline or not any(os.path.basename(c) == 'java' for c in cmdline[:3]):
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        out[pid] = (role(cmdline), (int(fields[11]) + int(fields[12])) / HZ)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    t0 = time.time()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []

    def read():
        for line in proc.stdout:
            lines.append((time.time() - t0, line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples = []
    while proc.poll() is None:
        samples.append((time.time() - t0, snapshot()))
        time.sleep(0.1)
    reader.join()
    for t, line in lines:
        print(f'{t:6.2f} | {line}')
    print('\n  time  CPU-seconds each JVM used in the 0.5 s slice ending then')
    last, since_last, total, names = 0.0, {}, {}, {}
    for t, snap in samples:
        for pid, (name, cpu) in snap.items():
            names[pid] = name
            since_last[pid] = since_last.get(pid, 0.0) + cpu - total.get(pid, 0.0)
            total[pid] = cpu
        if t - last >= 0.5:
            print(f'{t:6.2f}  ' + '  '.join(f'{names[p]}:{v:.2f}' for p, v in sorted(since_last.items(), key=lambda x: names[x[0]])
                                          if v >= 0.005))
            since_last, last = {}, t
    print('\nCPU-seconds in all: ' + ', '.join(f'{names[p]} {v:.2f}' for p, v in sorted(total.items(), key=lambda x: names[x[0]])))
    sys.exit(proc.returncode)


if __name__ == '__main__':
    main()
