//! Operation counters. Reads go through `&Store`, so counters are atomics.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    GetSuccess,
    GetFail,
    SetSuccess,
    SetFail,
    DeleteSuccess,
    DeleteFail,
    UpdateSuccess,
    UpdateFail,
    CreateSuccess,
    CreateFail,
    CompareAndSwapSuccess,
    CompareAndSwapFail,
    CompareAndDeleteSuccess,
    CompareAndDeleteFail,
    ExpireCount,
}

const N: usize = 15;

/// The store's counters.
#[derive(Debug, Default)]
pub struct Stats {
    counters: [AtomicU64; N],
}

/// A snapshot of the counters, serialized as etcd's /v2/stats/store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoreStats {
    pub gets_success: u64,
    pub gets_fail: u64,
    pub sets_success: u64,
    pub sets_fail: u64,
    pub delete_success: u64,
    pub delete_fail: u64,
    pub update_success: u64,
    pub update_fail: u64,
    pub create_success: u64,
    pub create_fail: u64,
    pub compare_and_swap_success: u64,
    pub compare_and_swap_fail: u64,
    pub compare_and_delete_success: u64,
    pub compare_and_delete_fail: u64,
    pub expire_count: u64,
    #[serde(default)]
    pub watchers: u64,
}

impl Stats {
    pub fn new() -> Stats {
        Stats::default()
    }

    pub fn inc(&self, s: Stat) {
        self.counters[s as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts success or failure of an operation by its result.
    pub fn count<T, E>(&self, r: &Result<T, E>, ok: Stat, fail: Stat) {
        self.inc(if r.is_ok() { ok } else { fail });
    }

    pub fn get(&self, s: Stat) -> u64 {
        self.counters[s as usize].load(Ordering::Relaxed)
    }

    pub fn snapshot(&self, watchers: u64) -> StoreStats {
        use Stat::*;
        StoreStats {
            gets_success: self.get(GetSuccess),
            gets_fail: self.get(GetFail),
            sets_success: self.get(SetSuccess),
            sets_fail: self.get(SetFail),
            delete_success: self.get(DeleteSuccess),
            delete_fail: self.get(DeleteFail),
            update_success: self.get(UpdateSuccess),
            update_fail: self.get(UpdateFail),
            create_success: self.get(CreateSuccess),
            create_fail: self.get(CreateFail),
            compare_and_swap_success: self.get(CompareAndSwapSuccess),
            compare_and_swap_fail: self.get(CompareAndSwapFail),
            compare_and_delete_success: self.get(CompareAndDeleteSuccess),
            compare_and_delete_fail: self.get(CompareAndDeleteFail),
            expire_count: self.get(ExpireCount),
            watchers,
        }
    }

    /// Counters restored from a snapshot (its `watchers` is ignored).
    pub fn from_snapshot(s: &StoreStats) -> Stats {
        use Stat::*;
        let st = Stats::new();
        let set = |k: Stat, v: u64| st.counters[k as usize].store(v, Ordering::Relaxed);
        set(GetSuccess, s.gets_success);
        set(GetFail, s.gets_fail);
        set(SetSuccess, s.sets_success);
        set(SetFail, s.sets_fail);
        set(DeleteSuccess, s.delete_success);
        set(DeleteFail, s.delete_fail);
        set(UpdateSuccess, s.update_success);
        set(UpdateFail, s.update_fail);
        set(CreateSuccess, s.create_success);
        set(CreateFail, s.create_fail);
        set(CompareAndSwapSuccess, s.compare_and_swap_success);
        set(CompareAndSwapFail, s.compare_and_swap_fail);
        set(CompareAndDeleteSuccess, s.compare_and_delete_success);
        set(CompareAndDeleteFail, s.compare_and_delete_fail);
        set(ExpireCount, s.expire_count);
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys() {
        let st = Stats::new();
        st.inc(Stat::GetSuccess);
        st.count(&Err::<(), ()>(()), Stat::SetSuccess, Stat::SetFail);
        let v = serde_json::to_value(st.snapshot(7)).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut want = vec![
            "getsSuccess",
            "getsFail",
            "setsSuccess",
            "setsFail",
            "deleteSuccess",
            "deleteFail",
            "updateSuccess",
            "updateFail",
            "createSuccess",
            "createFail",
            "compareAndSwapSuccess",
            "compareAndSwapFail",
            "compareAndDeleteSuccess",
            "compareAndDeleteFail",
            "expireCount",
            "watchers",
        ];
        let mut got = keys.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(v["getsSuccess"], 1);
        assert_eq!(v["setsFail"], 1);
        assert_eq!(v["watchers"], 7);
    }

    #[test]
    fn snapshot_round_trip() {
        let st = Stats::new();
        st.inc(Stat::ExpireCount);
        st.inc(Stat::CompareAndDeleteFail);
        let snap = st.snapshot(3);
        let back = Stats::from_snapshot(&snap);
        assert_eq!(back.snapshot(3), snap);
    }
}
