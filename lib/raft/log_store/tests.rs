use super::*;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt as _;

use ::raft::{GetEntriesContext, StorageError};

use super::crc32c::crc32c;
use super::entries::CACHE_ENTRIES;
use super::frame::FRAME_HEADER;
use super::segments::segment_name;

fn entry(index: u64, term: u64, data: &[u8]) -> Entry {
    let mut e = Entry::default();
    e.index = index;
    e.term = term;
    e.data = data.to_vec().into();
    e
}

/// Opens the log without segments allocated ahead, so that files end where the log does.
fn try_open(dir: &Path) -> Result<LogStore, LogError> {
    let snaps = Arc::new(SnapStore::open(&dir.join("snap.redb")).unwrap());
    LogStore::open_with(&dir.join("wal"), snaps, false)
}

/// Opens the log as kv-serve does, with segments allocated ahead.
fn open_prealloc(dir: &Path) -> LogStore {
    let snaps = Arc::new(SnapStore::open(&dir.join("snap.redb")).unwrap());
    LogStore::open(&dir.join("wal"), snaps).unwrap()
}

fn open(dir: &Path) -> LogStore {
    try_open(dir).unwrap()
}

fn data(s: &LogStore, low: u64, high: u64) -> Vec<Vec<u8>> {
    s.entries(low, high, None, GetEntriesContext::empty(false))
        .unwrap()
        .iter()
        .map(|e| e.data.to_vec())
        .collect()
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .collect();
    v.sort();
    v
}

#[test]
fn crc32c_known_value() {
    assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    assert_eq!(crc32c(b""), 0);
}

#[test]
fn entries_hard_state_and_meta_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        assert!(s.is_empty());
        let mut hs = HardState::default();
        hs.term = 2;
        hs.vote = 1;
        hs.commit = 2;
        s.persist(None, &[entry(1, 1, b"a"), entry(2, 2, b"b"), entry(3, 2, b"c")], Some(&hs)).unwrap();
        s.put_meta("identity", b"me").unwrap();
        let mut cs = ConfState::default();
        cs.voters = vec![1, 2];
        s.set_conf_state(cs).unwrap();
    }
    let s = open(dir.path());
    assert!(!s.is_empty());
    assert_eq!(s.hard_state().term, 2);
    assert_eq!(s.hard_state().vote, 1);
    assert_eq!(s.conf_state().voters, vec![1, 2]);
    assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
    assert_eq!(s.get_meta("other").unwrap(), None);
    assert_eq!(s.last_index().unwrap(), 3);
    assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
}

#[test]
fn a_new_leader_overwrites_the_suffix() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b"), entry(3, 1, b"c"), entry(4, 1, b"d")], None)
            .unwrap();
        s.persist(None, &[entry(3, 3, b"C")], None).unwrap();
        assert_eq!(s.last_index().unwrap(), 3);
        assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"C".to_vec()]);
        s.persist(None, &[entry(4, 3, b"D")], None).unwrap();
    }
    let s = open(dir.path());
    assert_eq!(s.last_index().unwrap(), 4);
    assert_eq!(data(&s, 1, 5), vec![b"a".to_vec(), b"b".to_vec(), b"C".to_vec(), b"D".to_vec()]);
    assert_eq!(s.term(3).unwrap(), 3);
    assert_eq!(s.term(2).unwrap(), 1);
}

#[test]
fn a_torn_tail_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
        s.persist(None, &[entry(3, 1, b"c")], None).unwrap();
    }
    let seg = segment_files(dir.path()).pop().unwrap();
    let len = std::fs::metadata(&seg).unwrap().len();
    // the last write only partly made it to disk
    OpenOptions::new().write(true).open(&seg).unwrap().set_len(len - 3).unwrap();
    {
        let mut s = open(dir.path());
        assert_eq!(s.last_index().unwrap(), 2);
        assert_eq!(std::fs::metadata(&seg).unwrap().len(), s.tail_len);
        s.persist(None, &[entry(3, 1, b"c2")], None).unwrap();
    }
    // a write whose length made it but not its data (zeros), after an intact one
    let len = std::fs::metadata(&seg).unwrap().len();
    {
        let f = OpenOptions::new().write(true).open(&seg).unwrap();
        f.write_all_at(&[40, 0, 0, 0, 1, 2, 3, 4], len).unwrap();
        f.set_len(len + 48).unwrap();
    }
    let s = open(dir.path());
    assert_eq!(s.last_index().unwrap(), 3);
    assert_eq!(data(&s, 1, 4), vec![b"a".to_vec(), b"b".to_vec(), b"c2".to_vec()]);
    assert_eq!(s.tail_len, len);
    // (the zeros after it read as space filled ahead)
    assert!(std::fs::read(&seg).unwrap()[len as usize..].iter().all(|&b| b == 0));
}

/// Waits until the spare segment being allocated, if any, is ready.
fn spare_ready(s: &LogStore) {
    while s.spare.is_some() && !s.spare_is_ready() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
fn segments_are_allocated_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    {
        let mut s = open_prealloc(dir.path());
        s.segment_bytes = 64 << 10;
        s.spare_size = 16 << 10;
        for i in 1..=600u64 {
            let e = entry(i, 1, &[i as u8; 300]);
            s.persist(None, std::slice::from_ref(&e), None).unwrap();
            written.push(e.data.to_vec());
            spare_ready(&s);
        }
        // the first segment grew as it was written and gave way to a spare at once; the
        // others were allocated ahead, doubling up to the segment size
        let sizes: Vec<u64> = s.segments.values().map(|g| g.prealloc).collect();
        assert_eq!(sizes[0], 0, "{sizes:?}");
        assert_eq!(sizes[1..4], [16 << 10, 32 << 10, 64 << 10], "{sizes:?}");
        assert!(sizes[4..].iter().all(|&n| n == 64 << 10), "{sizes:?}");
        for g in s.segments.values().skip(1) {
            // (the frame that crosses a segment's end makes it a little longer)
            let len = std::fs::metadata(&g.path).unwrap().len();
            assert!(len >= g.prealloc && len < g.prealloc + 1024, "{}: {len}", g.path.display());
        }
        assert!(s.tail_len < s.segments[&s.tail_seq].prealloc);
    }
    assert!(!segment_files(dir.path()).is_empty());
    let tail = segment_files(dir.path()).pop().unwrap();
    let size = std::fs::metadata(&tail).unwrap().len();
    {
        let mut s = open_prealloc(dir.path());
        assert_eq!(data(&s, 1, 601), written, "zeros after the last frame are not entries");
        assert_eq!(s.segments[&s.tail_seq].prealloc, size);
        let at = s.tail_len;
        s.persist(None, &[entry(601, 1, b"after reopen")], None).unwrap();
        assert!(s.tail_len > at);
        assert_eq!(std::fs::metadata(&tail).unwrap().len(), size, "written into the space allocated ahead");
        written.push(b"after reopen".to_vec());
    }
    // a torn write in space allocated ahead: its first page made it, the rest did not
    let end = {
        let s = open_prealloc(dir.path());
        s.tail_len
    };
    let f = OpenOptions::new().write(true).open(&tail).unwrap();
    f.write_all_at(&[200, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3], end).unwrap();
    let s = open_prealloc(dir.path());
    assert_eq!(data(&s, 1, 602), written);
    assert_eq!(s.tail_len, end);
    assert_eq!(std::fs::metadata(&tail).unwrap().len(), size, "cut by zeroing, still allocated ahead");
    assert!(std::fs::read(&tail).unwrap()[end as usize..].iter().all(|&b| b == 0));
    assert!(s.spare.is_none(), "opening allocates nothing");
    assert!(!dir.path().join("wal").join(SPARE_NAME).exists(), "the last run's spare is deleted on open");
}

#[test]
fn corruption_before_the_tail_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        s.persist(None, &[entry(1, 1, b"first write")], None).unwrap();
        s.persist(None, &[entry(2, 1, b"second write")], None).unwrap();
    }
    let seg = segment_files(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    let at = bytes.windows(11).position(|w| w == b"first write").unwrap();
    bytes[at] ^= 0xff;
    std::fs::write(&seg, &bytes).unwrap();
    let err = try_open(dir.path()).err().expect("corruption must be an error");
    assert!(err.to_string().contains("corrupt"), "{err}");
}

fn snapshot(index: u64, term: u64, data: &[u8]) -> Snapshot {
    let mut snap = Snapshot::default();
    snap.mut_metadata().index = index;
    snap.mut_metadata().term = term;
    snap.mut_metadata().mut_conf_state().voters = vec![1];
    snap.data = data.to_vec().into();
    snap
}

#[test]
fn compaction_deletes_old_segments() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2000u64;
    let mut hs = HardState::default();
    hs.term = 1;
    {
        let mut s = open(dir.path());
        s.segment_bytes = 16 << 10;
        s.put_meta("identity", b"me").unwrap();
        for i in 1..=n {
            hs.commit = i;
            s.persist(None, &[entry(i, 1, &[7u8; 100])], Some(&hs)).unwrap();
        }
        let before = segment_files(dir.path()).len();
        assert!(before > 10, "{before} segments");
        let snap = snapshot(n - 10, 1, b"state");
        s.snaps.save(&snap).unwrap();
        s.snapshot_saved(snap.get_metadata().clone(), n - 50);
        // logical at once
        assert_eq!(s.first_index().unwrap(), n - 49);
        assert_eq!(s.term(n - 50).unwrap(), 1);
        assert!(matches!(s.term(n - 51), Err(::raft::Error::Store(StorageError::Compacted))));
        // physical after the next write
        s.persist(None, &[entry(n + 1, 1, b"y")], None).unwrap();
        if let Some(h) = s.deleter.take() {
            h.join().unwrap();
        }
        let after = segment_files(dir.path()).len();
        assert!(after <= 3, "{before} -> {after} segments");
        // entries behind the cache but after the compaction point still read back
        assert_eq!(s.entries(n - 49, n + 2, None, GetEntriesContext::empty(false)).unwrap().len(), 51);
    }
    let mut s = open(dir.path());
    assert_eq!(s.first_index().unwrap(), n - 49);
    assert_eq!(s.last_index().unwrap(), n + 1);
    assert_eq!(s.term(n - 50).unwrap(), 1);
    assert_eq!(s.hard_state().commit, n);
    assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
    assert_eq!(s.conf_state(), &ConfState::default());
    let got = s.entries(n - 49, n + 2, None, GetEntriesContext::empty(false)).unwrap();
    assert_eq!(got.first().unwrap().index, n - 49);
    assert_eq!(got.last().unwrap().data.to_vec(), b"y".to_vec());
    assert_eq!(&s.snapshot(0, 1).unwrap().data[..], b"state");
    // a peer the snapshot does not know gets none, and a newer one is asked for
    assert!(s.snapshot(0, 9).is_err());
    assert!(s.snapshot_wanted.load(std::sync::atomic::Ordering::Acquire));
    assert_eq!(s.snapshot_metadata().index, n - 10);
    // and it goes on
    s.persist(None, &[entry(n + 2, 2, b"z")], None).unwrap();
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.last_index().unwrap(), n + 2);
    assert_eq!(s.term(n + 2).unwrap(), 2);
}

#[test]
fn a_segment_created_just_before_a_crash_gets_the_state_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut hs = HardState::default();
    hs.term = 3;
    hs.vote = 2;
    {
        let mut s = open(dir.path());
        s.put_meta("identity", b"me").unwrap();
        s.persist(None, &[entry(1, 3, b"a"), entry(2, 3, b"b")], Some(&hs)).unwrap();
    }
    // the crash came after the new segment's file was made, before anything was written to it
    let last = segment_files(dir.path()).pop().unwrap();
    let name = last.file_name().unwrap().to_str().unwrap();
    let seq = u64::from_str_radix(name.strip_suffix(".wal").unwrap(), 16).unwrap();
    File::create(dir.path().join("wal").join(segment_name(seq + 1))).unwrap();
    {
        let mut s = open(dir.path());
        assert_eq!(s.tail_seq, seq + 1);
        assert!(s.tail_len > 0, "the header was written");
        s.persist(None, &[entry(3, 3, b"c")], None).unwrap();
        // once the compaction point passes the old segment's entries, it goes
        s.snapshot_saved(snapshot(3, 3, b"").get_metadata().clone(), 2);
        s.persist(None, &[entry(4, 3, b"d")], None).unwrap();
    }
    assert_eq!(segment_files(dir.path()).len(), 1);
    let s = open(dir.path());
    assert_eq!(s.hard_state().vote, 2);
    assert_eq!(s.get_meta("identity").unwrap().as_deref(), Some(&b"me"[..]));
    assert_eq!(s.first_index().unwrap(), 3);
    assert_eq!(data(&s, 3, 5), vec![b"c".to_vec(), b"d".to_vec()]);
}

/// A long run of appends, overwrites, compactions, leader snapshots and meta writes over
/// small segments, reopened now and then, against a model of what the log must hold.
#[test]
fn random_operations_match_a_model_across_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let mut s = open_prealloc(dir.path());
    s.segment_bytes = 2048;
    // the model: entries offset+1..=last as (term, data)
    let (mut offset, mut offset_term) = (0u64, 0u64);
    let mut model: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut meta: HashMap<String, Vec<u8>> = HashMap::new();
    let mut hs = HardState::default();
    let mut term = 1;
    let mut segments_seen = 0;
    for step in 0..3000u64 {
        let last = offset + model.len() as u64;
        match next(100) {
            0..=59 => {
                let ents: Vec<Entry> = (0..1 + next(5))
                    .map(|k| entry(last + 1 + k, term, format!("{step}.{k}").as_bytes()))
                    .collect();
                model.extend(ents.iter().map(|e| (e.term, e.data.to_vec())));
                hs.term = term;
                s.persist(None, &ents, Some(&hs)).unwrap();
            }
            60..=69 if !model.is_empty() => {
                // a new leader overwrites an uncommitted suffix
                term += 1;
                let from = last - next(model.len().min(5) as u64);
                model.truncate((from - offset - 1) as usize);
                let ents: Vec<Entry> = (0..1 + next(3))
                    .map(|k| entry(from + k, term, format!("o{step}.{k}").as_bytes()))
                    .collect();
                model.extend(ents.iter().map(|e| (e.term, e.data.to_vec())));
                s.persist(None, &ents, None).unwrap();
            }
            70..=79 if model.len() > 1 => {
                let to = offset + 1 + next(model.len() as u64 - 1);
                let mut m = SnapshotMetadata::default();
                m.index = to;
                m.term = model[(to - offset - 1) as usize].0;
                s.snapshot_saved(m.clone(), to);
                // (the compaction point goes to disk with the next write)
                s.persist(None, &[], Some(&hs)).unwrap();
                offset_term = m.term;
                model.drain(..(to - offset) as usize);
                offset = to;
            }
            80..=81 => {
                term += 1;
                let snap = snapshot(last + 1 + next(20), term, b"leader");
                s.persist(Some(&snap), &[], None).unwrap();
                offset = snap.get_metadata().index;
                offset_term = term;
                model.clear();
            }
            82..=86 => {
                let (k, v) = (format!("k{}", next(4)), step.to_le_bytes().to_vec());
                s.put_meta(&k, &v).unwrap();
                meta.insert(k, v);
            }
            87..=89 => {
                drop(s);
                s = open_prealloc(dir.path());
                s.segment_bytes = 2048;
            }
            _ => {}
        }
        segments_seen = segments_seen.max(s.tail_seq + 1);
        let last = offset + model.len() as u64;
        assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (offset + 1, last), "step {step}");
        assert_eq!(s.term(offset).unwrap(), offset_term, "step {step}");
        if step % 50 == 0 || !model.is_empty() && next(10) == 0 {
            let got = s.entries(offset + 1, last + 1, None, GetEntriesContext::empty(false)).unwrap();
            let got: Vec<(u64, Vec<u8>)> = got.iter().map(|e| (e.term, e.data.to_vec())).collect();
            assert_eq!(got, model, "step {step}");
            assert_eq!(s.hard_state().term, hs.term, "step {step}");
            assert_eq!(s.meta, meta, "step {step}");
        }
    }
    assert!(segments_seen > 20, "segments rolled ({segments_seen})");
    drop(s);
    assert!(segment_files(dir.path()).len() < 20, "old segments are deleted");
}

/// etcd's `MustSync`: a higher commit index alone is not worth a write and an fdatasync;
/// a new term or vote is, and the commit index then goes along.
#[test]
fn a_commit_index_alone_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut hs = HardState::default();
    {
        let mut s = open(dir.path());
        hs.term = 2;
        hs.vote = 1;
        hs.commit = 1;
        s.persist(None, &[entry(1, 2, b"a"), entry(2, 2, b"b")], Some(&hs)).unwrap();
        let written = s.tail_len;
        hs.commit = 2;
        s.persist(None, &[], Some(&hs)).unwrap();
        assert_eq!(s.tail_len, written, "nothing written for a commit index");
        assert_eq!(s.hard_state().commit, 2, "but it is known in memory");
    }
    {
        let mut s = open(dir.path());
        assert_eq!((s.hard_state().term, s.hard_state().vote, s.hard_state().commit), (2, 1, 1));
        let written = s.tail_len;
        hs.term = 3;
        hs.vote = 0;
        s.persist(None, &[], Some(&hs)).unwrap();
        assert!(s.tail_len > written, "a new term is written");
    }
    let s = open(dir.path());
    assert_eq!((s.hard_state().term, s.hard_state().vote, s.hard_state().commit), (3, 0, 2));
}

#[test]
fn commit_index_is_raised_to_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        s.snaps.save(&snapshot(7, 1, b"s")).unwrap();
    }
    let s = open(dir.path());
    assert_eq!(s.hard_state().commit, 7);
}

#[test]
fn entries_beyond_the_cache_come_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let n = CACHE_ENTRIES as u64 * 3;
    {
        let mut s = open(dir.path());
        for chunk in (1..=n).collect::<Vec<_>>().chunks(100) {
            let ents: Vec<Entry> = chunk.iter().map(|&i| entry(i, 1 + i / 1000, &i.to_be_bytes())).collect();
            s.persist(None, &ents, None).unwrap();
        }
        assert!(s.cache.len() <= CACHE_ENTRIES);
        assert!(s.cache_first() > 1);
        let all = s.entries(1, n + 1, None, GetEntriesContext::empty(false)).unwrap();
        assert_eq!(all.len() as u64, n);
        assert!(
            all.iter()
                .enumerate()
                .all(|(i, e)| e.index == i as u64 + 1 && e.data[..] == (i as u64 + 1).to_be_bytes())
        );
        assert_eq!(s.term(5).unwrap(), 1);
        assert_eq!(s.term(n).unwrap(), 1 + n / 1000);
        // a size limit stops early but always returns one entry
        let some = s.entries(1, n + 1, Some(200), GetEntriesContext::empty(false)).unwrap();
        assert!(!some.is_empty() && some.len() < 20, "{}", some.len());
        assert_eq!(s.entries(1, n + 1, Some(0), GetEntriesContext::empty(false)).unwrap().len(), 1);
    }
    let s = open(dir.path());
    assert_eq!(s.last_index().unwrap(), n);
    assert_eq!(s.entries(n - 1, n + 1, None, GetEntriesContext::empty(false)).unwrap().len(), 2);
    assert_eq!(s.entries(2, 4, None, GetEntriesContext::empty(false)).unwrap()[0].index, 2);
    assert_eq!(s.term(1500).unwrap(), 2);
}

#[test]
fn leader_snapshot_replaces_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path());
    s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
    s.persist(Some(&snapshot(50, 4, b"remote")), &[], None).unwrap();
    assert_eq!(s.first_index().unwrap(), 51);
    assert_eq!(s.last_index().unwrap(), 50);
    assert_eq!(s.term(50).unwrap(), 4);
    assert_eq!(&s.snapshot(50, 1).unwrap().data[..], b"remote");
    s.persist(None, &[entry(51, 4, b"after")], None).unwrap();
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.first_index().unwrap(), 51);
    assert_eq!(s.last_index().unwrap(), 51);
    assert_eq!(s.hard_state().commit, 50);
    assert_eq!(s.conf_state().voters, vec![1]);
    assert_eq!(data(&s, 51, 52), vec![b"after".to_vec()]);
}

#[test]
fn a_snapshot_saved_just_before_a_crash_replaces_the_log_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        s.persist(None, &[entry(1, 1, b"a"), entry(2, 1, b"b")], None).unwrap();
    }
    // persist() saves a leader's snapshot first; here the crash comes before its frame.
    SnapStore::open(&dir.path().join("snap.redb")).unwrap().save(&snapshot(50, 4, b"remote")).unwrap();
    let s = open(dir.path());
    assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (51, 50));
    assert_eq!(s.term(50).unwrap(), 4);
    assert_eq!(s.hard_state().commit, 50);
    drop(s);
    // And that was written down: the next open finds the same.
    let s = open(dir.path());
    assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (51, 50));
}

#[test]
fn a_snapshot_that_disagrees_with_the_log_replaces_it_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        let es: Vec<Entry> = (1..=10).map(|i| entry(i, 1, b"old")).collect();
        s.persist(None, &es, None).unwrap();
    }
    // A leader's snapshot at 5, term 3: our entry 5 (term 1) was never committed.
    SnapStore::open(&dir.path().join("snap.redb")).unwrap().save(&snapshot(5, 3, b"leader")).unwrap();
    let s = open(dir.path());
    assert_eq!((s.first_index().unwrap(), s.last_index().unwrap()), (6, 5));
    assert_eq!(s.term(5).unwrap(), 3);
    assert_eq!(s.hard_state().term, 3);
    drop(s);
    let s = open(dir.path());
    assert_eq!((s.last_index().unwrap(), s.hard_state().term, s.hard_state().commit), (5, 3, 5));
}

#[test]
fn a_damaged_length_in_the_middle_is_not_taken_for_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        for i in 1..=5 {
            s.persist(None, &[entry(i, 1, b"payload")], None).unwrap();
        }
    }
    let seg = segment_files(dir.path()).pop().unwrap();
    let mut data = std::fs::read(&seg).unwrap();
    // Find the second frame and make its length point past the end of the file.
    let first_len = u32::from_le_bytes(data[0..4].try_into().unwrap()) as usize;
    let second = FRAME_HEADER + first_len;
    data[second + 3] = 0x7f;
    std::fs::write(&seg, &data).unwrap();
    assert!(try_open(dir.path()).is_err(), "intact frames follow: this is corruption, not a torn write");
}

#[test]
fn bootstrap_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = open(dir.path());
        let snap = snapshot(1, 1, b"");
        s.bootstrap(snap.get_metadata()).unwrap();
        assert_eq!(s.last_index().unwrap(), 1);
        assert_eq!(s.first_index().unwrap(), 2);
    }
    let s = open(dir.path());
    assert_eq!(s.last_index().unwrap(), 1);
    assert_eq!(s.term(1).unwrap(), 1);
    assert_eq!(s.hard_state().term, 1);
    assert_eq!(s.conf_state().voters, vec![1]);
}
