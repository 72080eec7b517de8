use super::super::error::*;
use super::*;
use serde::Serialize;
use tokio::sync::mpsc::error::TryRecvError;

const S: i64 = NANOS_PER_SEC;
/// 2033-05-18T03:33:20Z
const NOW: i64 = 2_000_000_000 * S;

fn perm() -> TtlOptions {
    TtlOptions::permanent()
}

fn ttl(secs: i64) -> TtlOptions {
    TtlOptions::expire_at(NOW + secs * S)
}

fn refresh(secs: i64) -> TtlOptions {
    TtlOptions { expire_time: Some(NOW + secs * S), refresh: true }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

fn err_of<T: std::fmt::Debug>(r: Result<T, Error>) -> (u32, String, u64) {
    let e = r.unwrap_err();
    (e.code, e.cause, e.index)
}

fn next_event(w: &mut Watcher) -> Option<Arc<Event>> {
    w.events.try_recv().ok()
}

#[test]
fn store_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Store>();
    check::<Arc<Event>>();
    check::<Watcher>();
}

#[test]
fn empty_root_get() {
    let s = Store::new();
    assert_eq!(s.index(), 0);
    let e = s.get("/", false, false, NOW).unwrap();
    assert_eq!(json(&e), r#"{"action":"get","node":{"dir":true}}"#);
    assert_eq!(e.etcd_index, 0);
    assert_eq!(json(&s.get("", true, true, NOW).unwrap()), r#"{"action":"get","node":{"dir":true}}"#);
}

#[test]
fn set_creates_and_replaces() {
    let mut s = Store::new();
    let e = s.set("/foo", false, "bar", perm(), NOW).unwrap();
    assert_eq!(s.index(), 1);
    assert_eq!(e.etcd_index, 1);
    assert!(e.is_created());
    assert_eq!(
        std::str::from_utf8(e.to_json()).unwrap(),
        r#"{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
    );
    let e = s.set("foo", false, "baz", perm(), NOW).unwrap();
    assert!(!e.is_created());
    assert_eq!(
        json(&*e),
        r#"{"action":"set","node":{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
    );
    // empty value is present in JSON
    let e = s.set("/empty", false, "", perm(), NOW).unwrap();
    assert_eq!(json(&e.node), r#"{"key":"/empty","value":"","modifiedIndex":3,"createdIndex":3}"#);
    assert_eq!(
        json(&s.get("/", false, false, NOW).unwrap()),
        r#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/empty","value":"","modifiedIndex":3,"createdIndex":3},{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2}]}}"#
    );
    let st = s.stats();
    assert_eq!(st.sets_success, 3);
    assert_eq!(st.gets_success, 1);
}

#[test]
fn set_errors() {
    let mut s = Store::new();
    s.set("/dir/file", false, "v", perm(), NOW).unwrap();
    assert_eq!(err_of(s.set("/", false, "v", perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 1));
    assert_eq!(err_of(s.set("/dir", false, "v", perm(), NOW)), (NOT_FILE, "/dir".into(), 1));
    assert_eq!(err_of(s.set("/dir", true, "", perm(), NOW)), (NOT_FILE, "/dir".into(), 1));
    assert_eq!(err_of(s.set("/dir/file/x/y", false, "v", perm(), NOW)), (NOT_DIR, "/dir/file".into(), 1));
    assert_eq!(s.index(), 1);
    let st = s.stats();
    assert_eq!((st.sets_success, st.sets_fail), (1, 4));
    assert_eq!(Error::new(ROOT_READ_ONLY, "/", 1).http_status(), 400);
}

#[test]
fn set_creates_implicit_parent_dirs() {
    let mut s = Store::new();
    s.set("/x", false, "0", perm(), NOW).unwrap();
    let e = s.set("/a/b/c", false, "v", perm(), NOW).unwrap();
    assert_eq!(e.index(), 2);
    let a = s.get("/a", false, false, NOW).unwrap();
    assert_eq!(
        json(&a),
        r#"{"action":"get","node":{"key":"/a","dir":true,"nodes":[{"key":"/a/b","dir":true,"modifiedIndex":2,"createdIndex":2}],"modifiedIndex":2,"createdIndex":2}}"#
    );
    let rec = s.get("/a", true, true, NOW).unwrap();
    assert_eq!(rec.node.nodes.as_ref().unwrap()[0].nodes.as_ref().unwrap()[0].value.as_deref(), Some("v"));
}

#[test]
fn set_dir_and_set_refresh() {
    let mut s = Store::new();
    let e = s.set("/d", true, "", perm(), NOW).unwrap();
    assert_eq!(json(&e.node), r#"{"key":"/d","dir":true,"modifiedIndex":1,"createdIndex":1}"#);
    // refresh of a missing key fails with the lookup error
    assert_eq!(err_of(s.set("/nope", false, "", refresh(5), NOW)).0, KEY_NOT_FOUND);
    s.set("/k", false, "keep", ttl(5), NOW).unwrap();
    let mut w = s.watch("/k", false, false, 0).unwrap();
    let e = s.set("/k", false, "", refresh(50), NOW).unwrap();
    assert!(e.refresh);
    assert_eq!(e.node.value.as_deref(), Some("keep"));
    assert_eq!(e.node.ttl, 50);
    assert_eq!(s.index(), 3);
    // refresh events reach neither watchers nor scans
    assert!(next_event(&mut w).is_none());
    assert_eq!(s.watcher_count(), 1);
    let mut w2 = s.watch("/k", false, false, 3).unwrap();
    assert!(next_event(&mut w2).is_none());
    assert_eq!(s.watcher_count(), 2);
    // the heap moved to the new expire time
    s.delete_expired_keys(NOW + 10 * S);
    assert!(s.get("/k", false, false, NOW).is_ok());
    s.delete_expired_keys(NOW + 50 * S);
    assert_eq!(err_of(s.get("/k", false, false, NOW)).0, KEY_NOT_FOUND);
    assert_eq!(next_event(&mut w).unwrap().action, Action::Expire);
}

#[test]
fn create_semantics() {
    let mut s = Store::new();
    let e = s.create("/foo", false, "bar", false, perm(), NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"create","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}"#
    );
    assert!(e.is_created());
    assert_eq!(err_of(s.create("/foo", false, "x", false, perm(), NOW)), (NODE_EXIST, "/foo".into(), 1));
    assert_eq!(err_of(s.create("/foo", true, "", false, perm(), NOW)), (NODE_EXIST, "/foo".into(), 1));
    assert_eq!(err_of(s.create("/foo/bar", false, "x", false, perm(), NOW)), (NOT_DIR, "/foo".into(), 1));
    assert_eq!(err_of(s.create("/", true, "", false, perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 1));
    let d = s.create("/d", true, "", false, perm(), NOW).unwrap();
    assert_eq!(json(&d.node), r#"{"key":"/d","dir":true,"modifiedIndex":2,"createdIndex":2}"#);
    let st = s.stats();
    assert_eq!((st.create_success, st.create_fail), (2, 4));
    assert_eq!(Error::new(NODE_EXIST, "", 0).http_status(), 412);
}

#[test]
fn create_unique_in_order() {
    let mut s = Store::new();
    s.set("/other", false, "", perm(), NOW).unwrap();
    let a = s.create("/queue", false, "a", true, perm(), NOW).unwrap();
    let b = s.create("/queue/", false, "b", true, perm(), NOW).unwrap();
    assert_eq!(a.node.key, "/queue/00000000000000000002");
    assert_eq!(b.node.key, "/queue/00000000000000000003");
    let q = s.get("/queue", false, true, NOW).unwrap();
    let keys: Vec<&str> = q.node.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, vec!["/queue/00000000000000000002", "/queue/00000000000000000003"]);
    // the queue dir was created implicitly at index 2
    assert_eq!(q.node.created_index, 2);
    // unique under the root
    let r = s.create("/", false, "r", true, perm(), NOW).unwrap();
    assert_eq!(r.node.key, "/00000000000000000004");
}

#[test]
fn get_errors_and_causes() {
    let mut s = Store::new();
    s.set("/a/file", false, "v", perm(), NOW).unwrap();
    assert_eq!(err_of(s.get("/nothing", false, false, NOW)), (KEY_NOT_FOUND, "/nothing".into(), 1));
    // the cause names the first missing segment, as etcd does
    assert_eq!(err_of(s.get("/a/x/y", false, false, NOW)), (KEY_NOT_FOUND, "/a/x".into(), 1));
    assert_eq!(err_of(s.get("/a/file/x", false, false, NOW)), (NOT_DIR, "/a/file".into(), 1));
    assert_eq!(err_of(s.get("/a/file/x/y", false, false, NOW)), (NOT_DIR, "/a/file".into(), 1));
    let st = s.stats();
    assert_eq!((st.gets_success, st.gets_fail), (0, 4));
    let e = Error::new(KEY_NOT_FOUND, "/nothing", 1);
    assert_eq!(json(&e), r#"{"errorCode":100,"message":"Key not found","cause":"/nothing","index":1}"#);
}

#[test]
fn get_hidden_and_recursive() {
    let mut s = Store::new();
    s.set("/d/_hidden", false, "h", perm(), NOW).unwrap();
    s.set("/d/visible", false, "v", perm(), NOW).unwrap();
    s.set("/d/sub/_h2", false, "h", perm(), NOW).unwrap();
    s.set("/d/sub/x", false, "x", perm(), NOW).unwrap();
    s.set("/d/empty", true, "", perm(), NOW).unwrap();
    let flat = s.get("/d", false, false, NOW).unwrap();
    let keys: Vec<&str> = flat.node.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, vec!["/d/empty", "/d/sub", "/d/visible"]);
    assert!(flat.node.nodes.as_ref().unwrap()[1].nodes.is_none());
    let rec = s.get("/d", true, false, NOW).unwrap();
    let sub = &rec.node.nodes.as_ref().unwrap()[1];
    let sub_keys: Vec<&str> = sub.nodes.as_ref().unwrap().iter().map(|n| n.key.as_str()).collect();
    assert_eq!(sub_keys, vec!["/d/sub/x"]);
    // empty dir: no nodes field
    assert_eq!(
        json(&rec.node.nodes.as_ref().unwrap()[0]),
        r#"{"key":"/d/empty","dir":true,"modifiedIndex":5,"createdIndex":5}"#
    );
    // a hidden key can be read directly
    assert_eq!(s.get("/d/_hidden", false, false, NOW).unwrap().node.value.as_deref(), Some("h"));
    // get carries the current index
    assert_eq!(s.get("/d", false, false, NOW).unwrap().etcd_index, 5);
}

#[test]
fn ttl_rendering() {
    let mut s = Store::new();
    let e = s.set("/t", false, "v", TtlOptions::expire_at(NOW + 10 * S + 500_000_000), NOW).unwrap();
    assert_eq!(e.node.ttl, 11);
    assert_eq!(e.node.expiration.as_deref(), Some("2033-05-18T03:33:30.5Z"));
    assert_eq!(
        json(&e.node),
        r#"{"key":"/t","value":"v","expiration":"2033-05-18T03:33:30.5Z","ttl":11,"modifiedIndex":1,"createdIndex":1}"#
    );
    let g = s.get("/t", false, false, NOW + 5 * S).unwrap();
    assert_eq!(g.node.ttl, 6);
    let g = s.get("/", false, false, NOW + 10 * S).unwrap();
    assert_eq!(g.node.nodes.unwrap()[0].ttl, 1);
    // expire times before 2000 are permanent
    let e = s.set("/old", false, "v", TtlOptions::expire_at(5 * S), NOW).unwrap();
    assert_eq!(e.node.ttl, 0);
    assert!(e.node.expiration.is_none());
    let d = s.create("/tdir", true, "", false, ttl(3), NOW).unwrap();
    assert_eq!(d.node.ttl, 3);
    assert!(d.node.dir);
    let heap: Vec<(i64, String)> = s.ttl_heap.iter().map(|(t, p)| (t, p.to_string())).collect();
    assert_eq!(
        heap,
        vec![(NOW + 3 * S, "/tdir".to_string()), (NOW + 10 * S + 500_000_000, "/t".to_string())]
    );
}

#[test]
fn update_semantics() {
    let mut s = Store::new();
    assert_eq!(err_of(s.update("/missing", "v", perm(), NOW)), (KEY_NOT_FOUND, "/missing".into(), 0));
    assert_eq!(err_of(s.update("/", "", perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 0));
    s.set("/f", false, "old", perm(), NOW).unwrap();
    s.set("/d", true, "", perm(), NOW).unwrap();
    let e = s.update("/f", "new", ttl(10), NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"update","node":{"key":"/f","value":"new","expiration":"2033-05-18T03:33:30Z","ttl":10,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/f","value":"old","modifiedIndex":1,"createdIndex":1}}"#
    );
    assert!(s.has_ttl_keys());
    // back to permanent
    let e = s.update("/f", "newer", perm(), NOW).unwrap();
    assert_eq!(e.node.ttl, 0);
    assert_eq!(e.prev_node.as_ref().unwrap().ttl, 10);
    assert!(!s.has_ttl_keys());
    // dirs: value must be empty
    assert_eq!(err_of(s.update("/d", "v", perm(), NOW)), (NOT_FILE, "/d".into(), 4));
    let e = s.update("/d", "", ttl(7), NOW).unwrap();
    assert_eq!(
        json(&e.node),
        r#"{"key":"/d","dir":true,"expiration":"2033-05-18T03:33:27Z","ttl":7,"modifiedIndex":5,"createdIndex":2}"#
    );
    let g = s.get("/d", false, false, NOW).unwrap();
    assert_eq!(g.node.ttl, 7);
    assert_eq!(g.node.modified_index, 2); // etcd leaves a dir's own modified index alone
    // refresh keeps the value and is not delivered
    let mut w = s.watch("/f", false, false, 0).unwrap();
    let e = s.update("/f", "", refresh(20), NOW).unwrap();
    assert!(e.refresh);
    assert_eq!(e.node.value.as_deref(), Some("newer"));
    assert_eq!(e.node.ttl, 20);
    assert!(next_event(&mut w).is_none());
    let st = s.stats();
    assert_eq!((st.update_success, st.update_fail), (4, 3));
}

#[test]
fn compare_and_swap_semantics() {
    let mut s = Store::new();
    assert_eq!(err_of(s.compare_and_swap("/x", "a", 0, "b", perm(), NOW)), (KEY_NOT_FOUND, "/x".into(), 0));
    s.set("/x", false, "a", perm(), NOW).unwrap();
    s.set("/d", true, "", perm(), NOW).unwrap();
    assert_eq!(err_of(s.compare_and_swap("/", "a", 0, "b", perm(), NOW)), (ROOT_READ_ONLY, "/".into(), 2));
    assert_eq!(err_of(s.compare_and_swap("/d", "", 2, "b", perm(), NOW)), (NOT_FILE, "/d".into(), 2));
    assert_eq!(
        err_of(s.compare_and_swap("/x", "z", 0, "b", perm(), NOW)),
        (TEST_FAILED, "[z != a]".into(), 2)
    );
    assert_eq!(
        err_of(s.compare_and_swap("/x", "", 9, "b", perm(), NOW)),
        (TEST_FAILED, "[9 != 1]".into(), 2)
    );
    assert_eq!(
        err_of(s.compare_and_swap("/x", "a", 9, "b", perm(), NOW)),
        (TEST_FAILED, "[9 != 1]".into(), 2)
    );
    assert_eq!(
        err_of(s.compare_and_swap("/x", "z", 1, "b", perm(), NOW)),
        (TEST_FAILED, "[z != a]".into(), 2)
    );
    assert_eq!(
        err_of(s.compare_and_swap("/x", "z", 9, "b", perm(), NOW)),
        (TEST_FAILED, "[z != a] [9 != 1]".into(), 2)
    );
    assert_eq!(Error::new(TEST_FAILED, "", 0).http_status(), 412);
    assert_eq!(s.index(), 2);
    let e = s.compare_and_swap("/x", "a", 1, "b", ttl(4), NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"compareAndSwap","node":{"key":"/x","value":"b","expiration":"2033-05-18T03:33:24Z","ttl":4,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/x","value":"a","modifiedIndex":1,"createdIndex":1}}"#
    );
    assert!(s.has_ttl_keys());
    // no conditions at all still succeeds
    let e = s.compare_and_swap("/x", "", 0, "c", perm(), NOW).unwrap();
    assert_eq!(e.node.modified_index, 4);
    assert!(!s.has_ttl_keys());
    // refresh keeps the value
    let e = s.compare_and_swap("/x", "c", 0, "", refresh(9), NOW).unwrap();
    assert!(e.refresh);
    assert_eq!(e.node.value.as_deref(), Some("c"));
    let st = s.stats();
    assert_eq!((st.compare_and_swap_success, st.compare_and_swap_fail), (3, 8));
}

#[test]
fn delete_semantics() {
    let mut s = Store::new();
    assert_eq!(err_of(s.delete("/", true, true, NOW)), (ROOT_READ_ONLY, "/".into(), 0));
    assert_eq!(err_of(s.delete("/nope", false, false, NOW)), (KEY_NOT_FOUND, "/nope".into(), 0));
    s.set("/f", false, "v", perm(), NOW).unwrap();
    s.set("/d/a", false, "1", ttl(5), NOW).unwrap();
    s.set("/d/sub/b", false, "2", ttl(6), NOW).unwrap();
    s.set("/e", true, "", perm(), NOW).unwrap();
    assert_eq!(err_of(s.delete("/d", false, false, NOW)), (NOT_FILE, "/d".into(), 4));
    assert_eq!(err_of(s.delete("/d", true, false, NOW)), (DIR_NOT_EMPTY, "/d".into(), 4));
    assert_eq!(Error::new(DIR_NOT_EMPTY, "", 0).http_status(), 403);
    // file, with the dir flag set: still fine
    let e = s.delete("/f", true, false, NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"delete","node":{"key":"/f","modifiedIndex":5,"createdIndex":1},"prevNode":{"key":"/f","value":"v","modifiedIndex":1,"createdIndex":1}}"#
    );
    // empty dir with dir=true
    let e = s.delete("/e", true, false, NOW).unwrap();
    assert_eq!(json(&e.node), r#"{"key":"/e","dir":true,"modifiedIndex":6,"createdIndex":4}"#);
    // recursive implies dir; TTL'd descendants leave the heap
    assert_eq!(s.ttl_heap.len(), 2);
    let e = s.delete("/d", false, true, NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"delete","node":{"key":"/d","dir":true,"modifiedIndex":7,"createdIndex":2},"prevNode":{"key":"/d","dir":true,"modifiedIndex":2,"createdIndex":2}}"#
    );
    assert!(!s.has_ttl_keys());
    assert_eq!(json(&s.get("/", true, false, NOW).unwrap()), r#"{"action":"get","node":{"dir":true}}"#);
    let st = s.stats();
    assert_eq!((st.delete_success, st.delete_fail), (3, 4));
}

#[test]
fn compare_and_delete_semantics() {
    let mut s = Store::new();
    assert_eq!(err_of(s.compare_and_delete("/x", "a", 0, NOW)), (KEY_NOT_FOUND, "/x".into(), 0));
    s.set("/x", false, "a", ttl(5), NOW).unwrap();
    s.set("/d", true, "", perm(), NOW).unwrap();
    assert_eq!(err_of(s.compare_and_delete("/", "a", 0, NOW)), (ROOT_READ_ONLY, "/".into(), 2));
    assert_eq!(err_of(s.compare_and_delete("/d", "", 0, NOW)), (NOT_FILE, "/d".into(), 2));
    assert_eq!(err_of(s.compare_and_delete("/x", "b", 0, NOW)), (TEST_FAILED, "[b != a]".into(), 2));
    assert_eq!(err_of(s.compare_and_delete("/x", "", 2, NOW)), (TEST_FAILED, "[2 != 1]".into(), 2));
    assert_eq!(err_of(s.compare_and_delete("/x", "b", 2, NOW)), (TEST_FAILED, "[b != a] [2 != 1]".into(), 2));
    let e = s.compare_and_delete("/x", "a", 1, NOW).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"compareAndDelete","node":{"key":"/x","modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/x","value":"a","expiration":"2033-05-18T03:33:25Z","ttl":5,"modifiedIndex":1,"createdIndex":1}}"#
    );
    assert!(!s.has_ttl_keys());
    let st = s.stats();
    assert_eq!((st.compare_and_delete_success, st.compare_and_delete_fail), (1, 6));
}

#[test]
fn expiry() {
    let mut s = Store::new();
    assert!(!s.has_ttl_keys());
    s.set("/dir/a", false, "1", ttl(5), NOW).unwrap();
    s.set("/dir/b", false, "2", perm(), NOW).unwrap();
    s.set("/c", false, "3", ttl(10), NOW).unwrap();
    assert!(s.has_ttl_keys());
    assert_eq!(s.next_expiry(), Some(NOW + 5 * S));
    let mut w = s.watch("/dir", true, true, 0).unwrap();
    s.delete_expired_keys(NOW + 5 * S - 1);
    assert_eq!(s.index(), 3);
    s.delete_expired_keys(NOW + 5 * S);
    assert_eq!(s.index(), 4);
    let e = next_event(&mut w).unwrap();
    assert_eq!(
        json(&*e),
        r#"{"action":"expire","node":{"key":"/dir/a","modifiedIndex":4,"createdIndex":1},"prevNode":{"key":"/dir/a","value":"1","expiration":"2033-05-18T03:33:25Z","modifiedIndex":1,"createdIndex":1}}"#
    );
    // parent and sibling stay
    assert!(s.get("/dir/b", false, false, NOW).is_ok());
    assert_eq!(err_of(s.get("/dir/a", false, false, NOW)).0, KEY_NOT_FOUND);
    s.delete_expired_keys(NOW + 100 * S);
    assert_eq!(s.index(), 5);
    assert!(!s.has_ttl_keys());
    assert_eq!(s.stats().expire_count, 2);
    // the history has both expire events
    let mut w2 = s.watch("/c", false, false, 4).unwrap();
    assert_eq!(next_event(&mut w2).unwrap().index(), 5);
}

#[test]
fn expiring_a_dir_removes_descendants_and_notifies_below() {
    let mut s = Store::new();
    s.set("/d", true, "", ttl(5), NOW).unwrap();
    s.set("/d/x/y", false, "v", ttl(50), NOW).unwrap();
    s.set("/d/z", false, "v", perm(), NOW).unwrap();
    let mut deep = s.watch("/d/x/y", false, false, 0).unwrap();
    let mut other = s.watch("/dz", true, false, 0).unwrap();
    s.delete_expired_keys(NOW + 5 * S);
    assert_eq!(s.index(), 4);
    assert!(!s.has_ttl_keys()); // /d/x/y went with its parent
    let e = next_event(&mut deep).unwrap();
    assert_eq!(e.action, Action::Expire);
    assert_eq!(json(&e.node), r#"{"key":"/d","dir":true,"modifiedIndex":4,"createdIndex":1}"#);
    assert!(e.prev_node.as_ref().unwrap().dir);
    assert!(next_event(&mut other).is_none());
    assert_eq!(s.watcher_count(), 1);
    // a later watch on a key under the expired dir finds the event
    let mut late = s.watch("/d/z", false, false, 4).unwrap();
    assert_eq!(next_event(&mut late).unwrap().index(), 4);
}

#[test]
fn replacing_a_ttl_key_clears_its_heap_entry() {
    let mut s = Store::new();
    s.set("/k", false, "v", ttl(5), NOW).unwrap();
    s.set("/k", false, "w", perm(), NOW).unwrap();
    assert!(!s.has_ttl_keys());
    s.delete_expired_keys(NOW + 10 * S);
    assert_eq!(s.get("/k", false, false, NOW).unwrap().node.value.as_deref(), Some("w"));
    assert_eq!(s.index(), 2);
}

#[test]
fn watch_through_store() {
    let mut s = Store::new();
    let mut w = s.watch("/foo", false, false, 0).unwrap();
    assert_eq!(w.start_index, 0);
    assert_eq!(s.stats().watchers, 1);
    s.set("/foo", false, "bar", perm(), NOW).unwrap();
    let e = next_event(&mut w).unwrap();
    assert_eq!(e.action, Action::Set);
    assert_eq!(s.stats().watchers, 0);
    assert_eq!(w.events.try_recv().unwrap_err(), TryRecvError::Disconnected);
    // past index answers at once, without registering
    let mut w = s.watch("/foo", false, false, 1).unwrap();
    assert_eq!(w.start_index, 1);
    assert_eq!(next_event(&mut w).unwrap().index(), 1);
    assert_eq!(s.stats().watchers, 0);
    // since 0 waits for the next change
    let mut w = s.watch("/foo", false, false, 0).unwrap();
    assert!(next_event(&mut w).is_none());
    s.remove_watcher(w.id);
    s.remove_watcher(w.id);
    assert_eq!(s.stats().watchers, 0);
    // ids are unique
    let a = s.watch("/a", false, false, 0).unwrap();
    let b = s.watch("/a", false, false, 0).unwrap();
    assert_ne!(a.id, b.id);
}

#[test]
fn watch_delete_of_dir_and_hidden() {
    let mut s = Store::new();
    s.set("/dir/sub/key", false, "v", perm(), NOW).unwrap();
    let mut under = s.watch("/dir/sub/key", false, false, 0).unwrap();
    let mut rec = s.watch("/", true, true, 0).unwrap();
    s.set("/_hidden", false, "h", perm(), NOW).unwrap();
    s.set("/dir/_h/x", false, "h", perm(), NOW).unwrap();
    assert!(next_event(&mut rec).is_none());
    s.delete("/dir", true, true, NOW).unwrap();
    assert_eq!(next_event(&mut under).unwrap().action, Action::Delete);
    assert_eq!(next_event(&mut rec).unwrap().node.key, "/dir");
    assert_eq!(s.watcher_count(), 1);
}

#[test]
fn history_cleared_after_1000_events() {
    let mut s = Store::new();
    for i in 0..1100 {
        s.set("/k", false, &i.to_string(), perm(), NOW).unwrap();
    }
    let e = s.watch("/k", false, false, 100).unwrap_err();
    assert_eq!(e.code, EVENT_INDEX_CLEARED);
    assert_eq!(e.cause, "the requested history has been cleared [101/100]");
    assert_eq!(e.index, 1100);
    let mut w = s.watch("/k", false, false, 101).unwrap();
    assert_eq!(next_event(&mut w).unwrap().node.value.as_deref(), Some("100"));
    assert_eq!(w.start_index, 1100);
}

#[test]
fn stream_watch_replays_then_follows() {
    let mut s = Store::new();
    s.set("/q/1", false, "a", perm(), NOW).unwrap();
    s.set("/other", false, "b", perm(), NOW).unwrap();
    s.set("/q/2", false, "c", perm(), NOW).unwrap();
    let mut w = s.watch("/q", true, true, 1).unwrap();
    assert_eq!(next_event(&mut w).unwrap().index(), 1);
    assert_eq!(next_event(&mut w).unwrap().index(), 3);
    assert!(next_event(&mut w).is_none());
    s.set("/q/3", false, "d", perm(), NOW).unwrap();
    s.set("/q/4", false, "e", perm(), NOW).unwrap();
    assert_eq!(next_event(&mut w).unwrap().index(), 4 + 1 - 1);
    assert_eq!(next_event(&mut w).unwrap().index(), 5);
    assert_eq!(s.watcher_count(), 1);
}

fn sample_store() -> Store {
    let mut s = Store::new();
    s.set("/a/b/c", false, "v1", perm(), NOW).unwrap();
    s.set("/a/_hidden", false, "h", ttl(30), NOW).unwrap();
    s.set("/a/d", true, "", ttl(20), NOW).unwrap();
    s.set("/a/d/e", false, "", perm(), NOW).unwrap();
    s.create("/q", false, "x", true, ttl(10), NOW).unwrap();
    s.set("/z", false, "unicode ✓ \"quoted\"", perm(), NOW).unwrap();
    s.update("/z", "", refresh(40), NOW).unwrap();
    s.delete("/a/b", true, true, NOW).unwrap();
    let _ = s.get("/missing", false, false, NOW);
    let _ = s.get("/a", true, true, NOW);
    s
}

#[test]
fn snapshot_round_trip() {
    let mut s = sample_store();
    let _watcher = s.watch("/a", true, true, 0).unwrap();
    let data = s.save();
    let mut r = Store::recover(&data).unwrap();
    // saving again gives the same bytes
    assert!(r.save() == data);
    assert_eq!(r.index(), s.index());
    assert_eq!(r.root, s.root);
    assert_eq!(r.ttl_heap, s.ttl_heap);
    assert_eq!(json(&r.get("/", true, true, NOW).unwrap()), json(&s.get("/", true, true, NOW).unwrap()));
    let (mut rs, mut ss) = (r.stats(), s.stats());
    assert_eq!(ss.watchers, 1);
    assert_eq!(rs.watchers, 0);
    rs.watchers = 0;
    ss.watchers = 0;
    assert_eq!(rs, ss);
    // history came along, refresh flags included
    let rh: Vec<Event> = r.hub.history.iter().map(|e| (**e).clone()).collect();
    let sh: Vec<Event> = s.hub.history.iter().map(|e| (**e).clone()).collect();
    assert_eq!(rh, sh);
    assert!(rh.iter().any(|e| e.refresh));
    assert_eq!(r.hub.history.start_index, s.hub.history.start_index);
    assert_eq!(r.hub.history.last_index, s.hub.history.last_index);
    let mut w = r.watch("/a/b/c", false, false, 1).unwrap();
    assert_eq!(next_event(&mut w).unwrap().index(), 1);
    // TTLs still expire after recovery
    r.delete_expired_keys(NOW + 20 * S);
    assert_eq!(err_of(r.get("/a/d/e", false, false, NOW)).0, KEY_NOT_FOUND);
    assert_eq!(r.stats().expire_count, 2);
    assert_eq!(r.index(), s.index() + 2);
    // and writes continue from the recovered index
    let e = r.set("/new", false, "n", perm(), NOW).unwrap();
    assert_eq!(e.index(), s.index() + 3);
}

#[test]
fn snapshot_of_deep_tree() {
    let mut s = Store::new();
    let deep: String = (0..2000).map(|_| "/x").collect();
    s.set(&format!("{deep}/leaf"), false, "v", ttl(5), NOW).unwrap();
    let data = s.save();
    let r = Store::recover(&data).unwrap();
    // (derived PartialEq on the tree recurses; compare the flat form)
    assert!(r.save() == data);
    assert_eq!(r.get(&format!("{deep}/leaf"), false, false, NOW).unwrap().node.value.as_deref(), Some("v"));
    assert_eq!(r.ttl_heap.peek(), Some((NOW + 5 * S, format!("{deep}/leaf").as_str())));
}

#[test]
fn recover_rejects_garbage() {
    assert!(Store::recover(b"").is_err());
    assert!(Store::recover(b"{}").is_err());
    let bad = br#"{"version":1,"index":1,"nodes":[{"depth":2,"name":"x","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
    assert!(Store::recover(bad).unwrap_err().contains("no parent"));
    let dup = br#"{"version":1,"index":1,"nodes":[{"depth":1,"name":"x","value":"","created":1,"modified":1},{"depth":1,"name":"x","value":"","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
    assert!(Store::recover(dup).unwrap_err().contains("duplicate"));
    let under_file = br#"{"version":1,"index":1,"nodes":[{"depth":1,"name":"x","value":"","created":1,"modified":1},{"depth":2,"name":"y","value":"","created":1,"modified":1}],"history":{"capacity":1000,"events":[]},"stats":{}}"#;
    assert!(Store::recover(under_file).unwrap_err().contains("is a file"));
}

#[test]
fn paths_are_cleaned() {
    let mut s = Store::new();
    s.set("a//b/../c/", false, "v", perm(), NOW).unwrap();
    assert_eq!(s.get("/a/c", false, false, NOW).unwrap().node.key, "/a/c");
    assert_eq!(s.get("../a/./c", false, false, NOW).unwrap().node.value.as_deref(), Some("v"));
    assert_eq!(err_of(s.set("/a/..", false, "v", perm(), NOW)).0, ROOT_READ_ONLY);
}

#[test]
fn deep_recursive_get_and_to_json() {
    let mut s = Store::new();
    let deep: String = (0..2000).map(|_| "/x").collect();
    s.set(&format!("{deep}/leaf"), false, "v", perm(), NOW).unwrap();
    let e = s.get("/", true, false, NOW).unwrap();
    let j = std::str::from_utf8(e.to_json()).unwrap();
    assert!(j.starts_with(
        r#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/x","dir":true,"nodes":[{"key":"/x/x","#
    ));
    assert!(j.contains(r#""value":"v""#));
}
