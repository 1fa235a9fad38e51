#!/usr/bin/env python3
"""CPU per message of each ring process, by thread kind, from /proc (not a test; a bench helper).

  thread-cpu.py snap FILE PID...            records every thread's user+system ticks
  thread-cpu.py diff A B "PIDS" "NAMES" N   prints, per process, ms of CPU per message (N messages)
                                            between the two snapshots: the total, the JIT
                                            compilers' share, the rest, and the busiest threads
"""
import collections
import json
import os
import re
import sys

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def snap(pids):
    d = {}
    for p in pids:
        for t in os.listdir(f"/proc/{p}/task"):
            try:
                s = open(f"/proc/{p}/task/{t}/stat").read()
            except OSError:
                continue
            name = s[s.index("(") + 1 : s.rindex(")")]
            f = s[s.rindex(")") + 2 :].split()
            d[f"{p}/{t}"] = (name, int(f[11]) + int(f[12]))
    return d


if sys.argv[1] == "snap":
    json.dump(snap(sys.argv[3:]), open(sys.argv[2], "w"))
    sys.exit(0)
a = json.load(open(sys.argv[2]))
b = json.load(open(sys.argv[3]))
pids, names, n = sys.argv[4].split(), sys.argv[5].split(), max(1, int(sys.argv[6]))
sums = collections.Counter()
for p, nm in zip(pids, names):
    g = collections.Counter()
    for k, (name, t) in b.items():
        if k.split("/")[0] == p:
            g[re.sub(r"[0-9]+", "N", name)] += t - a.get(k, (name, 0))[1]
    total = sum(g.values()) * TICK_MS / n
    jit = sum(v for k, v in g.items() if "Compiler" in k) * TICK_MS / n
    sums["total"] += total
    sums["jit"] += jit
    top = ", ".join(f"{k} {v * TICK_MS / n:.1f}" for k, v in g.most_common(6) if v > 0 and "Compiler" not in k)
    print(f"   {nm:9s} {total:5.1f} ms/msg (JIT {jit:4.1f}, rest {total - jit:4.1f}): {top}")
print(f"   {'all':9s} {sums['total']:5.1f} ms/msg (JIT {sums['jit']:4.1f}, rest {sums['total'] - sums['jit']:4.1f})")
