#!/usr/bin/env python3
"""What idle client connections cost: kv-serve and etcd 3.4 side by side.

    bench/idle-connections.py [--conns N]

Starts one etcd member (--enable-v2=true) on 127.0.0.61 and one kv-serve member on 127.0.0.62,
then for each in turn opens N connections (default 10,000) from 127.0.0.x sources and holds
them (each from a source address of its own, 127.1.x.y), measuring the server's RSS (from /proc) before, with the connections open, and after
they are closed:
  - "silent": connected, nothing sent (a client that connects ahead of time, or a port scan);
  - "kept alive": one GET /v2/keys/ answered on each, then the connection left open, as HTTP
    clients' pools keep them.
Prints a table of the cost per connection (KiB) and the ratio kv-serve/etcd.

Environment: KV_SERVE (default target/release/kv-serve), ETCD (default etcd). Needs an open
files limit above N (the script raises its own, which the servers inherit).
"""

import argparse
import os
import resource
import shutil
import socket
import sys
import tempfile
import time

from common import programs, rss_kib, start_member





def settle(pid):
    """RSS once it stops moving (the allocator returns memory in its own time)."""
    last = -1
    for _ in range(20):
        time.sleep(0.5)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last




SOURCES = iter(range(10**9))


def open_conns(ip, n, request):
    socks = []
    for _ in range(n):
        s = socket.socket()
        k = next(SOURCES)
        s.bind((f"127.1.{k // 250 % 250}.{1 + k % 250}", 0))
        s.connect((ip, 2379))
        socks.append(s)
    if request:
        req = f"GET /v2/keys/ HTTP/1.1\r\nHost: {ip}\r\n\r\n".encode()
        for s in socks:
            s.sendall(req)
        for s in socks:
            got = b""
            while b"\r\n\r\n" not in got:
                got += s.recv(65536)
    return socks


def measure(p, ip, n, request):
    before = settle(p.pid)
    socks = open_conns(ip, n, request)
    during = settle(p.pid)
    for s in socks:
        s.close()
    after = settle(p.pid)
    return before, during, after


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conns", type=int, default=10000)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.conns + 1000
    if hard < want:
        sys.exit(f"bench: the open files limit ({hard}) is below {want}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    kv, etcd = programs()
    tmp = tempfile.mkdtemp(prefix="idle-bench.")
    servers = [("etcd", [etcd, "--enable-v2=true"], "127.0.0.61"), ("kv-serve", [kv], "127.0.0.62")]
    rows = {}
    try:
        for label, argv, ip in servers:
            p = start_member(argv, ip, tmp, label)
            try:
                for mode, request in (("silent", False), ("kept alive", True)):
                    b, d, a = measure(p, ip, args.conns, request)
                    rows[(label, mode)] = (b, d, a)
                    print(f"{label}, {mode}: RSS {b / 1024:.1f} MiB -> {d / 1024:.1f} MiB with {args.conns} "
                          f"connections -> {a / 1024:.1f} MiB after", file=sys.stderr)
            finally:
                p.kill()
                p.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"## Idle client connections: etcd vs kv-serve, {args.conns} connections")
    print()
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; RSS in MiB before / with the connections / after "
          "closing them; cost per connection in KiB.")
    print()
    print("| connections | etcd RSS | kv-serve RSS | etcd KiB/conn | kv-serve KiB/conn | ratio |")
    print("|---|---|---|---|---|---|")
    for mode in ("silent", "kept alive"):
        e, k = rows[("etcd", mode)], rows[("kv-serve", mode)]
        fmt = lambda r: f"{r[0] / 1024:.0f} / {r[1] / 1024:.0f} / {r[2] / 1024:.0f}"
        ce, ck = (e[1] - e[0]) / args.conns, (k[1] - k[0]) / args.conns
        print(f"| {mode} | {fmt(e)} | {fmt(k)} | {ce:.1f} | {ck:.1f} | {ck / max(ce, 0.01):.2f}× |")


if __name__ == "__main__":
    main()
