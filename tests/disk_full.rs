//! A full disk is survived, not fail-stopped (issue 16). kv-serve runs with its data dir on a
//! small tmpfs of its own; writes of 64 KiB values fill it. Then: the member stays up, serves
//! reads, refuses writes at once with etcd's v2 error shape saying "no space"; once space is
//! freed it accepts writes again by itself, without a restart; and after `kill -9` every
//! acknowledged write is there. (etcd 3.4 answers the failing write with a 500 and exits.)
//!
//! Requires root (mount -t tmpfs); it fails (does not skip) without it.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Http, Member};

struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let d = tempfile::Builder::new().prefix("corekit-tmpfs-").tempdir().unwrap();
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(d.path())
            .status();
        assert!(st.is_ok_and(|s| s.success()), "mount -t tmpfs failed (this test needs root)");
        Tmpfs(d)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

fn value(i: usize) -> String {
    format!("{i:08}{}", "x".repeat(64 * 1024 - 8))
}

#[test]
fn a_full_disk_refuses_writes_serves_reads_and_recovers_without_a_restart() {
    let fs = Tmpfs::mount("24m");
    // Ballast, to be deleted later to make room.
    let ballast = fs.0.path().join("ballast");
    std::fs::write(&ballast, vec![1u8; 6 << 20]).unwrap();
    let mut m = Member::builder().dir(fs.0.path().join("member")).snapshot_count(100).start();
    let http = Http::with_timeout(&m.client_url(), Duration::from_secs(30));

    // Fill it: write until a write is refused for want of space.
    let mut acked = Vec::new();
    let mut refused = None;
    for i in 0..2000 {
        let (st, v) = http.put(&format!("/fill/{i}"), &value(i)).unwrap();
        match st {
            200 | 201 => acked.push(i),
            _ if v["cause"].as_str().is_some_and(|c| c.contains("no space")) => {
                refused = Some((st, v));
                break;
            }
            // The write that met the full disk may time out (it waits in the log's write).
            _ => eprintln!("write {i}: {st} {v}"),
        }
    }
    let (st, v) = refused.expect("no write was refused although the disk is full");
    eprintln!("{} writes acknowledged, then: {st} {v}", acked.len());
    assert!(acked.len() > 20, "only {} writes fit", acked.len());
    assert_eq!(st, 500);
    assert_eq!(
        (v["errorCode"].as_u64(), v["message"].as_str()),
        (Some(300), Some("Raft Internal Error")),
        "{v}"
    );
    assert!(m.is_running(), "kv-serve exited on a full disk:\n{}", m.log_tail(20));
    assert!(m.log_tail(50).contains("no space left on device"), "{}", m.log_tail(50));

    // Reads go on; more writes are refused at once.
    for &i in acked.iter().rev().take(5) {
        let (st, v) = http.get_key(&format!("/fill/{i}")).unwrap();
        assert_eq!((st, v["node"]["value"].as_str()), (200, Some(value(i).as_str())));
    }
    let t0 = Instant::now();
    let (st, v) = http.put("/refused", "x").unwrap();
    assert_eq!(st, 500, "{v}");
    assert!(t0.elapsed() < Duration::from_secs(1), "a write on a full disk took {:?}", t0.elapsed());

    // Room again: writes are accepted by themselves, no restart.
    std::fs::remove_file(&ballast).unwrap();
    let freed = Instant::now();
    loop {
        let (st, _) = http.put("/after", "room").unwrap();
        if st == 200 || st == 201 {
            break;
        }
        assert!(freed.elapsed() < Duration::from_secs(15), "writes were not accepted again");
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("writes accepted again {:?} after space was freed", freed.elapsed());
    for i in 5000..5020 {
        let (st, v) = http.put(&format!("/fill/{i}"), &value(i)).unwrap();
        assert!(st == 200 || st == 201, "{st} {v}");
        acked.push(i);
    }

    // Nothing acknowledged was lost, through kill -9 and a restart.
    m.kill9();
    m.restart();
    for &i in &acked {
        let (st, v) = http.get_key(&format!("/fill/{i}")).unwrap();
        assert_eq!(
            (st, v["node"]["value"].as_str().map(|s| &s[..8])),
            (200, Some(&value(i)[..8])),
            "/fill/{i}"
        );
    }
    assert_eq!(http.get_key("/after").unwrap().1["node"]["value"], "room");
    m.kill9();
}
