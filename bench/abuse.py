#!/usr/bin/env python3
"""Load and abuse, side by side: etcd 3.4 and kv-serve under the same attack, one after the other.

    bench/abuse.py [--held N] [--heads N] [--bodies N] [--watches N] [--seconds S]

For each server (one member, started fresh), at once:
  - N connections held open, silent (default 10,000);
  - slow-loris heads: a request head sent a byte every 5 s (default 1,000);
  - slow-loris bodies: a PUT whose 100 kB body comes a byte every 5 s (default 200);
  - a flood of watches: long polls on one key (default 5,000), woken by one write at the end;
  - oversized values: four 11 MiB PUTs;
while a well-behaved client PUTs and GETs a key every 50 ms on a new connection. Reports the
probe's latency (p50/p99/max) and failures, the server's peak RSS, how many slow heads and
bodies were still open after 35 s and 65 s, what the oversized PUTs got, how many watchers got
the event — as a markdown table with one column per server.

Environment: KV_SERVE (default target/release/kv-serve), ETCD (default etcd). Raises its own
open-files limit (the servers inherit it).
"""

import argparse
import http.client
import os
import resource
import shutil
import socket
import sys
import tempfile
import threading
import time

from common import programs, rss_kib, start_member






SOURCES = iter(range(10**9))


def conn(ip):
    s = socket.socket()
    k = next(SOURCES)
    s.bind((f"127.1.{k // 250 % 250}.{1 + k % 250}", 0))
    s.connect((ip, 2379))
    return s


def is_closed(s):
    s.setblocking(False)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def probe(ip, stop, lat, failures):
    i = 0
    while not stop.is_set():
        i += 1
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection(ip, 2379, timeout=10)
            c.request("PUT", "/v2/keys/probe", body=f"value={i}",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = c.getresponse()
            r.read()
            c.request("GET", "/v2/keys/probe")
            g = c.getresponse()
            body = g.read()
            c.close()
            if r.status not in (200, 201) or f'"value":"{i}"'.encode() not in body:
                failures.append(f"{r.status}/{g.status}")
            else:
                lat.append(time.monotonic() - t)
        except OSError as e:
            failures.append(str(e))
        time.sleep(0.05)


def oversized(ip, results):
    try:
        s = conn(ip)
        body = b"value=" + b"a" * (11 << 20)
        s.sendall(f"PUT /v2/keys/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n".encode())
        try:
            s.sendall(body)
        except OSError:
            pass
        s.settimeout(30)
        got = s.recv(200).split(b"\r\n")[0].decode(errors="replace")
        results.append(got or "closed")
        s.close()
    except OSError as e:
        results.append(f"closed ({e.__class__.__name__})")


def run(label, p, ip, a):
    base = rss_kib(p.pid)
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(p.pid))
            time.sleep(0.5)

    lat, failures, big = [], [], []
    threads = [threading.Thread(target=sample), threading.Thread(target=probe, args=(ip, stop, lat, failures))]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    held = [conn(ip) for _ in range(a.held)]
    heads = []
    for _ in range(a.heads):
        s = conn(ip)
        s.sendall(b"GET /v2/keys/flood HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        heads.append(s)
    bodies = []
    for _ in range(a.bodies):
        s = conn(ip)
        s.sendall(b"PUT /v2/keys/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 100000\r\n\r\nvalue=")
        bodies.append(s)
    watches = []
    for _ in range(a.watches):
        s = conn(ip)
        s.sendall(b"GET /v2/keys/flood?wait=true HTTP/1.1\r\nHost: x\r\n\r\n")
        watches.append(s)
    bigs = [threading.Thread(target=oversized, args=(ip, big)) for _ in range(4)]
    for t in bigs:
        t.start()
    # (measured from when the last of them was opened)
    heads_t0 = bodies_t0 = time.monotonic()
    heads_open_35 = bodies_open_65 = None
    while time.monotonic() - t0 < a.seconds or heads_open_35 is None or bodies_open_65 is None:
        for s in heads + bodies:
            try:
                s.send(b"x")
            except OSError:
                pass
        time.sleep(5)
        now = time.monotonic()
        if heads_open_35 is None and now - heads_t0 >= 35:
            heads_open_35 = sum(not is_closed(s) for s in heads)
        if bodies_open_65 is None and now - bodies_t0 >= 65:
            bodies_open_65 = sum(not is_closed(s) for s in bodies)
    for t in bigs:
        t.join()
    # One write wakes every watcher.
    c = http.client.HTTPConnection(ip, 2379, timeout=10)
    c.request("PUT", "/v2/keys/flood", body="value=woke", headers={"Content-Type": "application/x-www-form-urlencoded"})
    c.getresponse().read()
    woken = 0
    deadline = time.monotonic() + 20
    for s in watches:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            got = b""
            while b"woke" not in got:
                b = s.recv(65536)
                if not b:
                    break
                got += b
            woken += b"woke" in got
        except OSError:
            pass
    stop.set()
    for t in threads:
        t.join()
    for s in held + heads + bodies + watches:
        s.close()
    lat.sort()
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1000 if lat else float("nan")
    r = {
        "probe round trips (PUT+GET)": f"{len(lat)} ok, {len(failures)} failed",
        "probe p50 / p99 / max (ms)": f"{q(0.5):.1f} / {q(0.99):.1f} / {q(1.0) if lat else float('nan'):.1f}",
        "RSS before / peak (MiB)": f"{base / 1024:.0f} / {peak[0] / 1024:.0f}",
        f"slow heads still open after 35 s (of {a.heads})": str(heads_open_35),
        f"slow bodies still open after 65 s (of {a.bodies})": str(bodies_open_65),
        "11 MiB PUTs got": ", ".join(sorted(set(big))),
        f"watchers woken by one write (of {a.watches})": str(woken),
    }
    print(f"{label}: {r}", file=sys.stderr)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--held", type=int, default=10000)
    ap.add_argument("--heads", type=int, default=1000)
    ap.add_argument("--bodies", type=int, default=200)
    ap.add_argument("--watches", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=70)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.held + a.heads + a.bodies + a.watches + 2000
    if hard < want:
        sys.exit(f"bench: the open files limit ({hard}) is below {want}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    kv, etcd = programs()
    tmp = tempfile.mkdtemp(prefix="abuse-bench.")
    rows = {}
    try:
        for label, argv, ip in (("etcd", [etcd, "--enable-v2=true"], "127.0.0.63"), ("kv-serve", [kv], "127.0.0.64")):
            p = start_member(argv, ip, tmp, label)
            try:
                rows[label] = run(label, p, ip, a)
            finally:
                p.kill()
                p.wait()
        with open(os.path.join(tmp, "kv-serve.log"), errors="replace") as f:
            cut = [l.strip() for l in f if any(w in l for w in ("cut off", "closed", "refused a request body", "more "))]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"## Load and abuse: etcd vs kv-serve ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())})")
    print()
    print(f"{a.held} connections held, {a.heads} slow-loris heads, {a.bodies} slow bodies, {a.watches} watches, "
          f"four 11 MiB PUTs, for {a.seconds} s; a client PUTs and GETs every 50 ms throughout.")
    print()
    print("| | etcd | kv-serve |")
    print("|---|---|---|")
    for k in rows["etcd"]:
        print(f"| {k} | {rows['etcd'][k]} | {rows['kv-serve'][k]} |")
    print()
    print(f"kv-serve logged {len(cut)} lines about what it cut off:")
    for l in cut[:12]:
        print(f"    {l}")


if __name__ == "__main__":
    main()
