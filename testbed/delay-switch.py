#!/usr/bin/env python3
"""A user-space link emulator for the ePOST testbed, for kernels with neither sch_netem nor sch_fq.

Each node namespace gets a TUN device (eth0, layer 3, no ARP) whose other end is this process.
Every IPv4 packet a node sends is held for the one-way delay of its (source, destination) pair,
dropped with the configured loss probability, then written into the destination node's TUN
device. The delay matrix (microseconds, one row per source node) is read from a file that
testbed/netns-ring.sh generates from a seed, so both directions of a pair agree and a run can be
repeated. Packets to or from any other address are dropped: the switch only connects the
namespaces it created, nothing else.

  delay-switch.py serve --prefix P --nodes N --delays FILE [--loss PCT] [--seed S] --ready FILE
      create the TUN devices (they vanish when this process exits), touch FILE, then switch
      until SIGTERM/SIGINT
  delay-switch.py probe --prefix P --nodes N --delays FILE [--pairs K]
      measure round trips over UDP between node pairs, print them next to the configured ones;
      exit 1 if one is off by more than max(5 ms, 20 %)

Needs root (setns, /dev/net/tun) and Python 3.8+ with no extra module. Timing: one thread, a
heap of due packets, select() until the next is due; run it at real-time priority (chrt) if the
machine is loaded so that the delays stay within a millisecond or so.
"""
import argparse
import ctypes
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_QUEUED = 100_000  # packets held at once; beyond this new packets are dropped (counted)

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns(%s): %s" % (path, os.strerror(err)))
    finally:
        os.close(fd)


class InNamespace:
    """Runs a block inside a named network namespace, then returns to the original one."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns("/run/netns/" + self.name)

    def __exit__(self, *exc):
        if libc.setns(self.home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "cannot return to the original network namespace")
        os.close(self.home)


def addr(i):
    return "10.77.%d.%d" % (i // 250, i % 250 + 1)


def index_of(packed):
    """Testbed index of a 4-byte IPv4 address, or -1."""
    if packed[0] != 10 or packed[1] != 77:
        return -1
    return packed[2] * 250 + packed[3] - 1


def read_delays(path, n):
    rows = [list(map(int, line.split())) for line in open(path) if line.strip()]
    if len(rows) != n or any(len(r) != n for r in rows):
        sys.exit("delay-switch: %s is not a %dx%d matrix" % (path, n, n))
    return rows


def serve(a):
    n = a.nodes
    delays = read_delays(a.delays, n)
    loss = a.loss / 100.0
    rng = random.Random(a.seed)
    tuns = []
    for i in range(n):
        with InNamespace("%s-n%d" % (a.prefix, i)):
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"eth0", IFF_TUN | IFF_NO_PI))
            tuns.append(fd)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    open(a.ready, "w").close()
    index = {fd: i for i, fd in enumerate(tuns)}
    due = []  # (time, seq, destination fd, packet)
    seq = 0
    counts = {"forwarded": 0, "lost": 0, "foreign": 0, "overflow": 0}
    while not stop:
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(due)
            try:
                os.write(fd, pkt)
                counts["forwarded"] += 1
            except BlockingIOError:
                counts["overflow"] += 1
            except OSError:
                counts["foreign"] += 1
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
        try:
            ready, _, _ = select.select(tuns, [], [], timeout)
        except InterruptedError:
            continue
        arrived = time.monotonic()
        for fd in ready:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(pkt) < 20 or pkt[0] >> 4 != 4:
                    counts["foreign"] += 1  # not IPv4 (the TUN carries no ARP; IPv6 is unused)
                    continue
                s, d = index_of(pkt[12:16]), index_of(pkt[16:20])
                if s != index[fd] or not 0 <= d < n:
                    counts["foreign"] += 1  # spoofed source or an address outside the testbed
                    continue
                if loss > 0 and rng.random() < loss:
                    counts["lost"] += 1
                    continue
                if len(due) >= MAX_QUEUED:
                    counts["overflow"] += 1
                    continue
                seq += 1
                heapq.heappush(due, (arrived + delays[s][d] / 1e6, seq, tuns[d], pkt))
    print("delay-switch: " + ", ".join("%s %d" % kv for kv in counts.items()), file=sys.stderr)


def probe(a):
    n = a.nodes
    delays = read_delays(a.delays, n)
    rng = random.Random(7)
    pairs = [(i, (i + 1) % n) for i in range(n)]
    while len(pairs) < a.pairs + n and n > 2:
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j:
            pairs.append((i, j))
    socks = []
    for i in range(n):
        with InNamespace("%s-n%d" % (a.prefix, i)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((addr(i), 7999))
            s.settimeout(3)
            socks.append(s)
    worst = 0.0
    bad = 0
    print("pair      configured-rtt-ms  measured-rtt-ms (best of 3)")
    for i, j in pairs:
        best = None
        for k in range(3):
            t0 = time.monotonic()
            socks[i].sendto(b"ping%d" % k, (addr(j), 7999))
            try:
                data, src = socks[j].recvfrom(64)
                socks[j].sendto(data, src)
                socks[i].recvfrom(64)
            except socket.timeout:
                continue
            rtt = (time.monotonic() - t0) * 1000
            best = rtt if best is None else min(best, rtt)
        want = (delays[i][j] + delays[j][i]) / 1000.0
        if best is None:
            print("%2d -> %2d  %8.1f          lost" % (i, j, want))
            bad += 1
            continue
        off = abs(best - want)
        worst = max(worst, off)
        flag = "" if off <= max(5.0, 0.2 * want) else "   <-- off"
        bad += 1 if flag else 0
        print("%2d -> %2d  %8.1f          %8.1f%s" % (i, j, want, best, flag))
    print("probe: %d pairs, worst deviation %.1f ms, %d off" % (len(pairs), worst, bad))
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["serve", "probe"])
    p.add_argument("--prefix", required=True)
    p.add_argument("--nodes", type=int, required=True)
    p.add_argument("--delays", required=True)
    p.add_argument("--loss", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ready")
    p.add_argument("--pairs", type=int, default=8)
    a = p.parse_args()
    if a.mode == "serve":
        if not a.ready:
            sys.exit("serve needs --ready FILE")
        serve(a)
        return 0
    return probe(a)


if __name__ == "__main__":
    sys.exit(main())
