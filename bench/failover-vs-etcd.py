#!/usr/bin/env python3
"""Write pauses when a three-member cluster loses its leader: kv-serve and etcd 3.4 side by side.

    bench/failover-vs-etcd.py [--rounds N]

Starts three etcd members (--enable-v2=true) on 127.0.0.51..53 and three kv-serve members on
127.0.0.54..56 (both with their defaults: 100 ms heartbeat, 1 s election timeout). In each round,
for each cluster in turn, a probe writes through a follower every 10 ms (each write on its own
thread, so a write lost with a dead leader holds up no other) and the leader is
  - stopped with SIGTERM (a rolling restart: etcd transfers leadership before it exits), or
  - killed with SIGKILL (a crash: its connections close);
the pause is the longest time without an answered write around the event. A third scenario
is a rolling restart: each member in turn stopped with SIGTERM and started again, writes going
through the next one; its pause is the longest of the three. The member is then
started again on its data dir. Printed: the median (and range) of the pauses per scenario, the
ratio kv-serve/etcd, and how many writes were refused with "no leader" or failed otherwise
(writes on their way to a killed leader are lost with it on both servers and time out).

Environment: KV_SERVE (default target/release/kv-serve), ETCD (default etcd).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from common import programs

EVERY = 0.010
AFTER = 2.5


class Cluster:
    def __init__(self, label, argv, ips, tmp):
        self.label, self.argv, self.ips, self.tmp = label, argv, ips, tmp
        self.names = [f"{label}{i + 1}" for i in range(len(ips))]
        self.initial = ",".join(f"{n}=http://{ip}:2380" for n, ip in zip(self.names, ips))
        self.procs = [None] * len(ips)

    def spawn(self, i):
        ip, name = self.ips[i], self.names[i]
        log = open(os.path.join(self.tmp, f"{name}.log"), "ab")
        self.procs[i] = subprocess.Popen(
            self.argv
            + ["--name", name, "--data-dir", os.path.join(self.tmp, f"{name}.data"),
               "--listen-client-urls", f"http://{ip}:2379", "--advertise-client-urls", f"http://{ip}:2379",
               "--listen-peer-urls", f"http://{ip}:2380", "--initial-advertise-peer-urls", f"http://{ip}:2380",
               "--initial-cluster", self.initial, "--initial-cluster-token", f"{self.label}-token",
               "--initial-cluster-state", "new"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def url(self, i):
        return f"http://{self.ips[i]}:2379"

    def wait_healthy(self, i, limit=30):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(i) + "/health", timeout=1) as r:
                    if json.load(r).get("health") == "true":
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        sys.exit(f"bench: {self.names[i]} not healthy within {limit} s (log in {self.tmp})")

    def leader(self, limit=20):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for i in range(len(self.ips)):
                try:
                    with urllib.request.urlopen(self.url(i) + "/v2/stats/self", timeout=1) as r:
                        if json.load(r).get("state") == "StateLeader":
                            return i
                except (OSError, ValueError):
                    pass
            time.sleep(0.05)
        sys.exit(f"bench: no {self.label} leader within {limit} s")

    def stop_all(self):
        for p in self.procs:
            if p and p.poll() is None:
                p.kill()
                p.wait()


def put(base, n):
    data = urllib.parse.urlencode({"value": str(n)}).encode()
    req = urllib.request.Request(f"{base}/v2/keys/probe/{n % 64}", data=data, method="PUT")
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            r.read()
            return None
    except urllib.error.HTTPError as e:
        try:
            return f"{e.code} {json.load(e).get('message', '')}"
        except ValueError:
            return str(e.code)
    except OSError as e:
        return str(e)


def probe(base, stop, results):
    n, threads = 0, []
    while not stop.is_set():
        n += 1

        def one(n=n):
            sent = time.monotonic()
            err = put(base, n)
            results.append((sent, time.monotonic(), err))

        t = threading.Thread(target=one, daemon=True)
        t.start()
        threads.append(t)
        time.sleep(EVERY)
    for t in threads:
        t.join()


def probed(url, lead_in, event):
    """Probes `url` for `lead_in` s, runs `event` (which returns when the window to look at
    ends), stops: (longest pause around the event in s, refused "no leader", other failures)."""
    stop, results = threading.Event(), []
    t = threading.Thread(target=probe, args=(url, stop, results))
    t.start()
    time.sleep(lead_in)
    at = time.monotonic()
    end = event()
    stop.set()
    t.join()
    done = sorted(d for s, d, err in results if err is None and at - 0.2 <= d <= end)
    pause = max((b - a for a, b in zip(done, done[1:])), default=end - at)
    no_leader = sum(1 for _, _, err in results if err and "no leader" in err)
    other = sum(1 for _, _, err in results if err and "no leader" not in err)
    return pause, no_leader, other


def round_once(c, sig):
    old = c.leader()

    def event():
        c.procs[old].send_signal(sig)
        c.procs[old].wait()
        time.sleep(AFTER)
        return time.monotonic()

    pause, no_leader, other = probed(c.url((old + 1) % len(c.ips)), 1.0, event)
    c.spawn(old)
    c.wait_healthy(old)
    time.sleep(1.0)
    return pause * 1000, no_leader, other


def rolling_restart(c):
    """Each member in turn stopped with SIGTERM and started again (leader or not), writes going
    through the member after it; the longest pause of the three."""
    worst, no_leader, other = 0.0, 0, 0
    for i in range(len(c.ips)):

        def event(i=i):
            c.procs[i].send_signal(signal.SIGTERM)
            c.procs[i].wait()
            c.spawn(i)
            c.wait_healthy(i)
            time.sleep(0.5)
            return time.monotonic()

        pause, n, o = probed(c.url((i + 1) % len(c.ips)), 0.5, event)
        worst, no_leader, other = max(worst, pause), no_leader + n, other + o
    time.sleep(1.0)
    return worst * 1000, no_leader, other


SCENARIOS = ("SIGTERM of the leader", "kill -9 of the leader", "rolling restart (SIGTERM, start, each member)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    kv, etcd = programs()
    tmp = tempfile.mkdtemp(prefix="failover-bench.")
    clusters = [
        Cluster("etcd", [etcd, "--enable-v2=true"], ["127.0.0.51", "127.0.0.52", "127.0.0.53"], tmp),
        Cluster("kv", [kv], ["127.0.0.54", "127.0.0.55", "127.0.0.56"], tmp),
    ]
    figures = {}
    try:
        for c in clusters:
            for i in range(len(c.ips)):
                c.spawn(i)
        for c in clusters:
            for i in range(len(c.ips)):
                c.wait_healthy(i)
        for r in range(args.rounds):
            for name in SCENARIOS:
                for c in clusters:
                    if name.startswith("rolling"):
                        pause, no_leader, other = rolling_restart(c)
                    else:
                        sig = signal.SIGTERM if name.startswith("SIGTERM") else signal.SIGKILL
                        pause, no_leader, other = round_once(c, sig)
                    f = figures.setdefault((name, c.label), {"pause": [], "no_leader": 0, "other": 0})
                    f["pause"].append(pause)
                    f["no_leader"] += no_leader
                    f["other"] += other
                    print(f"round {r + 1}: {name}, {c.label}: writes paused {pause:.0f} ms "
                          f"({no_leader} refused with no leader, {other} lost)", file=sys.stderr)
    finally:
        for c in clusters:
            c.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"## Write pauses when the leader goes: 3 etcd vs 3 kv-serve members, {args.rounds} rounds")
    print()
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} on {os.cpu_count()} cores; writes through "
          f"a follower every {EVERY * 1000:.0f} ms; the longest time without an answered write; "
          "median (min–max) in ms.")
    print()
    print("| event | etcd | kv-serve | ratio | refused \"no leader\" (etcd / kv-serve) | lost (etcd / kv-serve) |")
    print("|---|---|---|---|---|---|")
    for name in SCENARIOS:
        e, k = figures[(name, "etcd")], figures[(name, "kv")]
        fmt = lambda p: f"{statistics.median(p):.0f} ({min(p):.0f}–{max(p):.0f})"
        ratio = statistics.median(k["pause"]) / max(statistics.median(e["pause"]), 1e-9)
        print(f"| {name} | {fmt(e['pause'])} | {fmt(k['pause'])} | {ratio:.2f}× | "
              f"{e['no_leader']} / {k['no_leader']} | {e['other']} / {k['other']} |")


if __name__ == "__main__":
    main()
