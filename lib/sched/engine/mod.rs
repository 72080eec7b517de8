//! `unit-sched engine`: runs on every machine; the one holding the lease ([`lease`]) places
//! units, the others stand by. The leader keeps the cluster in memory ([`model`]) — read
//! whole when it takes over, then kept current by two watches (`units/` and `machines/`; it
//! writes the rest itself) — and after every batch of changes, and every `interval`, asks
//! [`plan`](crate::sched::plan::plan) what to change and writes that, several writes at a time.
//!
//! The whole cluster is read again every ten intervals, and whenever a watch fails or falls
//! behind the store's event history (etcd's 401), so a missed event costs at most that.

pub mod lease;
pub mod model;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lease::Leadership;
use model::Model;

use crate::client::Error;
use crate::sched::plan::{Action, plan};
use crate::sched::registry::{EVENT_INDEX_CLEARED, Registry, is_code};

/// How an engine runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Names this engine in the lease.
    pub machine_id: String,
    /// How often the leader reconciles without news, and renews its lease (fleet: 2 s).
    pub interval: Duration,
    /// How long the lease outlives its last renewal (fleet: 5 intervals).
    pub lease_ttl: Duration,
    /// Writes in flight at once while carrying out a plan.
    pub writers: usize,
}

impl Config {
    pub fn new(machine_id: &str) -> Config {
        Config {
            machine_id: machine_id.to_string(),
            interval: Duration::from_secs(2),
            lease_ttl: Duration::from_secs(10),
            writers: 16,
        }
    }
}

/// What the engine did, for the log and tests.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    pub plans: u64,
    pub writes: u64,
    pub failed_writes: u64,
    pub full_reads: u64,
}

enum Watched {
    Change(Box<crate::client::Response>),
    /// The watch can't go on from where it was: read everything again.
    Resync(String),
}

/// Runs the engine until `stop` is set; then gives the lease up.
pub fn run(reg: Arc<Registry>, cfg: Config, stop: &AtomicBool) -> Counters {
    let mut lead = Leadership::new(&cfg.machine_id, cfg.lease_ttl);
    let mut counters = Counters::default();
    // Watch threads of an older reading see a newer generation and end.
    let generation = Arc::new(AtomicU64::new(0));
    while !stop.load(Ordering::Relaxed) {
        if !lead.refresh(&reg) {
            sleep_unless(stop, cfg.interval);
            continue;
        }
        lead_until_lost(&reg, &cfg, stop, &mut lead, &generation, &mut counters);
    }
    generation.fetch_add(1, Ordering::SeqCst);
    lead.release(&reg);
    counters
}

fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let end = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50).min(end - Instant::now()));
    }
}

/// One leadership: read, watch, plan and write until the lease is lost or `stop`.
fn lead_until_lost(
    reg: &Arc<Registry>,
    cfg: &Config,
    stop: &AtomicBool,
    lead: &mut Leadership,
    generation: &Arc<AtomicU64>,
    counters: &mut Counters,
) {
    let mut model = match Model::read(reg) {
        Ok(m) => m,
        Err(e) => {
            log::warn!("engine: reading the cluster: {e}");
            sleep_unless(stop, cfg.interval);
            return;
        }
    };
    counters.full_reads += 1;
    let (tx, rx) = mpsc::channel();
    let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
    for dir in [reg.keys.units(), reg.keys.machines()] {
        spawn_watch(reg.clone(), dir, model.index, cfg.interval, tx.clone(), generation.clone(), mine);
    }
    // The watches stream from the endpoint the client had pinned. A member cut off by the
    // network closes nothing: its streams just go quiet, and a machine's expiry would be seen
    // only at the next full read. When the lease's renewal had to go elsewhere, so do the watches.
    let watching = reg.client.pinned_endpoint();
    let mut next_tick = Instant::now();
    let mut ticks = 0u32;
    let mut dirty = true;
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + cfg.interval;
            ticks += 1;
            if !lead.refresh(reg) {
                generation.fetch_add(1, Ordering::SeqCst);
                return;
            }
            let pinned = reg.client.pinned_endpoint();
            if pinned != watching {
                log::info!(
                    "engine: the store answers from {} now; reading the cluster again",
                    pinned.as_deref().unwrap_or("?")
                );
                generation.fetch_add(1, Ordering::SeqCst);
                return;
            }
            if ticks.is_multiple_of(10) {
                // Now and then, the whole cluster again: whatever a watch missed is seen here.
                match Model::read(reg) {
                    Ok(m) => {
                        counters.full_reads += 1;
                        model.replace(m);
                    }
                    Err(e) => log::warn!("engine: reading the cluster: {e}"),
                }
            }
            dirty = true;
        }
        // Take every change that is waiting, so a burst is planned once.
        match gather(&rx, &mut model, next_tick, dirty) {
            Gathered::Changed => dirty = true,
            Gathered::Resync(why) => {
                log::info!("engine: {why}; reading the cluster again");
                generation.fetch_add(1, Ordering::SeqCst);
                return; // the caller reads again and starts new watches
            }
            Gathered::Nothing => {}
        }
        if dirty && lead.is_leader() {
            dirty = false;
            let actions = plan(&model.cluster);
            counters.plans += 1;
            if !actions.is_empty() {
                let failed = execute(reg, &actions, cfg.writers, &mut model);
                counters.writes += actions.len() as u64;
                counters.failed_writes += failed;
                dirty = failed > 0;
            }
        }
    }
}

enum Gathered {
    Nothing,
    Changed,
    Resync(String),
}

/// Waits for changes (until `until`, or not at all when a plan is due anyway), then takes all
/// that arrived within a few milliseconds of the first.
fn gather(rx: &Receiver<Watched>, model: &mut Model, until: Instant, due: bool) -> Gathered {
    let wait = if due { Duration::ZERO } else { until.saturating_duration_since(Instant::now()) };
    let first = match rx.recv_timeout(wait) {
        Ok(w) => w,
        Err(RecvTimeoutError::Timeout) => return Gathered::Nothing,
        Err(RecvTimeoutError::Disconnected) => return Gathered::Resync("the watches ended".into()),
    };
    let mut got = Some(first);
    let settle = Instant::now() + Duration::from_millis(5);
    let mut changed = false;
    while let Some(w) = got.take() {
        match w {
            Watched::Change(r) => changed |= model.apply(&r),
            Watched::Resync(why) => return Gathered::Resync(why),
        }
        got = rx.try_recv().ok().or_else(|| {
            let left = settle.saturating_duration_since(Instant::now());
            (!left.is_zero()).then(|| rx.recv_timeout(left).ok()).flatten()
        });
    }
    if changed { Gathered::Changed } else { Gathered::Nothing }
}

fn spawn_watch(
    reg: Arc<Registry>,
    dir: String,
    index: u64,
    idle: Duration,
    tx: Sender<Watched>,
    generation: Arc<AtomicU64>,
    mine: u64,
) {
    // A stream, not a long poll per event: at thousands of changes a second a watcher that
    // pays a round trip per event falls behind the store's 1,000-event history and has to read
    // everything again. The stream is opened anew every minute (and after any error) from the
    // last event seen.
    let spawned = std::thread::Builder::new().name("engine-watch".into()).spawn(move || {
        let mut seen = index;
        while generation.load(Ordering::SeqCst) == mine {
            match reg.client.watch_stream(&dir, seen, true, Duration::from_secs(60)) {
                Ok(mut stream) => {
                    while let Some(ev) = stream.next_event() {
                        let Ok(r) = ev else { break };
                        seen = seen.max(r.node.modified_index);
                        if generation.load(Ordering::SeqCst) != mine
                            || tx.send(Watched::Change(Box::new(r))).is_err()
                        {
                            return;
                        }
                    }
                }
                Err(e) if is_code(&e, EVENT_INDEX_CLEARED) => {
                    let _ =
                        tx.send(Watched::Resync(format!("the watch of {dir} fell behind the event history")));
                    return;
                }
                Err(e) => {
                    // A store that does not answer: let the leader read everything again once
                    // it does.
                    std::thread::sleep(idle.min(Duration::from_secs(1)));
                    let _ = tx.send(Watched::Resync(format!("watching {dir}: {e}")));
                    return;
                }
            }
        }
    });
    if let Err(e) = spawned {
        log::error!("engine: cannot start a watch thread: {e}");
    }
}

/// Carries out a plan with `writers` writes in flight; returns how many failed. The model
/// follows each write that succeeded.
fn execute(reg: &Registry, actions: &[Action], writers: usize, model: &mut Model) -> u64 {
    // A unit placed beside a peer (MachineOf=) is written after its peer, so the machine's
    // agent learns of the peer first — and has it loaded when the unit's start pulls it in.
    let depth = |unit: &str| {
        let mut d = 0;
        let mut u = unit.to_string();
        while d < 3 {
            match model.cluster.units.get(&u).and_then(|r| r.requirements.machine_of.first()) {
                Some(peer) => {
                    d += 1;
                    u = peer.clone();
                }
                None => break,
            }
        }
        d
    };
    let mut phases: Vec<Vec<usize>> = vec![Vec::new(); 4];
    for (i, a) in actions.iter().enumerate() {
        let p = match a {
            Action::Schedule { unit, .. } | Action::Update { unit, .. } => depth(unit),
            _ => 0,
        };
        phases[p].push(i);
    }
    let done: parking_lot::Mutex<Vec<(usize, Result<(), Error>)>> = parking_lot::Mutex::new(Vec::new());
    for phase in phases.iter().filter(|p| !p.is_empty()) {
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..writers.clamp(1, phase.len()) {
                s.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = phase.get(k) else { return };
                        let r = write(reg, &actions[i]);
                        done.lock().push((i, r));
                    }
                });
            }
        });
    }
    let mut failed = 0;
    for (i, r) in done.into_inner() {
        match r {
            Ok(()) => {
                log_action(&actions[i]);
                model.note(&actions[i]);
            }
            Err(e) => {
                failed += 1;
                log::warn!("engine: {:?}: {e}", actions[i]);
            }
        }
    }
    failed
}

fn write(reg: &Registry, a: &Action) -> Result<(), Error> {
    match a {
        Action::Unschedule { unit, machine, .. } => reg.unassign(machine, unit),
        Action::Schedule { unit, machine, assignment } | Action::Update { unit, machine, assignment } => {
            reg.assign(machine, unit, assignment)
        }
        Action::SetGlobal { unit, global } => reg.put_global(unit, global),
        Action::RemoveGlobal { unit } => reg.delete_global(unit),
        Action::SetReason { unit, reason } => reg.set_reason(unit, reason),
        Action::ClearReason { unit } => reg.clear_reason(unit),
    }
}

fn log_action(a: &Action) {
    match a {
        Action::Unschedule { unit, machine, reason } => {
            log::info!("engine: unscheduled {unit} from {machine}: {reason}")
        }
        Action::Schedule { unit, machine, .. } => log::debug!("engine: scheduled {unit} to {machine}"),
        Action::SetReason { unit, reason } => log::info!("engine: cannot place {unit}: {reason}"),
        _ => {}
    }
}
