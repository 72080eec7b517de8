"""Shared by the Python side-by-side benchmarks: imported, not run."""

import os
import shutil
import sys

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
