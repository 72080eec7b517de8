"""Shared by the Python side-by-side benchmarks: imported, not run."""

import os
import shutil
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def programs():
    """kv-serve (KV_SERVE, default target/release/kv-serve) and etcd (ETCD, default etcd),
    checked to be there."""
    kv = os.environ.get("KV_SERVE", os.path.join(ROOT, "target", "release", "kv-serve"))
    etcd = os.environ.get("ETCD", "etcd")
    if not os.access(kv, os.X_OK):
        sys.exit(f"bench: {kv} missing: cargo build --release")
    if not shutil.which(etcd):
        sys.exit("bench: etcd not found (apt-get install etcd-server)")
    return kv, etcd


def rss_kib(pid):
    """A process's resident memory, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def start_member(argv, ip, tmp, name):
    """One member (etcd or kv-serve, same flags) on IP:2379/2380 with its data and log in tmp;
    returns the process once /health says true."""
    log = open(os.path.join(tmp, f"{name}.log"), "wb")
    p = subprocess.Popen(
        argv + ["--name", name, "--data-dir", os.path.join(tmp, name),
                "--listen-client-urls", f"http://{ip}:2379", "--advertise-client-urls", f"http://{ip}:2379",
                "--listen-peer-urls", f"http://{ip}:2380", "--initial-advertise-peer-urls", f"http://{ip}:2380",
                "--initial-cluster", f"{name}=http://{ip}:2380"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://{ip}:2379/health", timeout=1) as r:
                if b"true" in r.read():
                    return p
        except OSError:
            time.sleep(0.1)
    sys.exit(f"bench: {name} did not start (log in {tmp})")
