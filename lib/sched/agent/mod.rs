//! The cluster agent: the part of fleet's agent that runs beside a machine's supervisor
//! (`unit-run daemon --endpoints …`). It
//!
//! - keeps the machine's record alive in the store ([`heartbeat`]), and fences itself — stops
//!   every unit it runs for the cluster — once the record has surely expired;
//! - follows what the cluster wants of this machine, and only that ([`desired`]);
//! - reconciles: desired units against the units it manages, through the pure
//!   [`reconcile`](crate::agent::reconcile::reconcile) step, carried out on the machine's
//!   [`Units`](units::Units);
//! - publishes each unit's state with a TTL ([`publish`]);
//! - serves its units' status and journal, read-only, to `unit-sched` on other machines
//!   ([`http`]).
//!
//! How the same unit never runs twice: the engine moves a unit only after its machine's record
//! expired (or the agent handed it back); the agent times its renewals from when they were
//! sent and starts stopping its units the moment the record has surely expired — no later than
//! the engine can act. What overlap remains is the unit's own stop time (its ExecStop and
//! KillSignal handling) against the other machine's start. A store outage shorter than
//! `agent_ttl` stops nothing.

pub mod desired;
pub mod heartbeat;
pub mod http;
pub mod publish;
pub mod units;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::agent::reconcile::{self, Current, Desired as Want, DesiredState, Task};
use crate::sched::records::{Desired, MachineRecord};
use crate::sched::registry::Registry;
use desired::{Part, View};
use heartbeat::Heartbeat;
use units::Units;

/// How an agent runs (fleet.conf's settings).
#[derive(Clone, Debug)]
pub struct Config {
    pub machine_id: String,
    pub hostname: String,
    /// The address listings show (`public_ip`).
    pub public_ip: String,
    pub metadata: BTreeMap<String, String>,
    /// Where this agent serves status and journal (empty: nowhere).
    pub agent_url: String,
    /// How long the machine's record and its units' states live without renewal.
    pub ttl: Duration,
    /// How often the agent reconciles without news (fleet: 5 s).
    pub interval: Duration,
    /// Where the agent keeps the names of the units it manages (None: in memory only).
    pub state_dir: Option<PathBuf>,
}

/// A running agent.
pub struct Agent {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

pub struct Shared {
    pub reg: Arc<Registry>,
    pub units: Arc<dyn Units>,
    pub cfg: Config,
    pub stop: AtomicBool,
    stopped: Mutex<bool>,
    stopped_cv: parking_lot::Condvar,
    pub heartbeat: Mutex<Heartbeat>,
    pub view: Mutex<View>,
    wake_tx: Mutex<Sender<()>>,
    /// The units managed here, for the HTTP port (updated after every pass).
    pub served: http::Served,
    /// The newest states to publish, for the publishing thread, and its doorbell.
    pub states: Mutex<Option<publish::Picture>>,
    publish_tx: Mutex<Sender<()>>,
    /// Unit texts by hash (they never change).
    texts: Mutex<BTreeMap<String, String>>,
}

impl Shared {
    /// Asks the reconciler to look again now.
    pub fn wake(&self) {
        let _ = self.wake_tx.lock().send(());
    }

    /// Sleeps for `d`, or less if the agent stops (woken, not polling: a thousand simulated
    /// agents' threads must cost nothing while they wait).
    pub fn sleep(&self, d: Duration) {
        let mut stopped = self.stopped.lock();
        if !*stopped {
            let _ = self.stopped_cv.wait_for(&mut stopped, d);
        }
    }

    /// Sets the stop flag and wakes every sleeper.
    fn signal_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        *self.stopped.lock() = true;
        self.stopped_cv.notify_all();
        self.wake();
        let _ = self.publish_tx.lock().send(());
    }

    pub fn record(&self) -> MachineRecord {
        MachineRecord {
            id: self.cfg.machine_id.clone(),
            hostname: self.cfg.hostname.clone(),
            public_ip: self.cfg.public_ip.clone(),
            metadata: self.cfg.metadata.clone(),
            agent_url: self.cfg.agent_url.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn text(&self, hash: &str) -> Option<String> {
        if let Some(t) = self.texts.lock().get(hash) {
            return Some(t.clone());
        }
        match self.reg.text(hash) {
            Ok(Some(t)) => {
                self.texts.lock().insert(hash.to_string(), t.clone());
                Some(t)
            }
            Ok(None) => {
                log::warn!("the unit text {hash} is not in the store");
                None
            }
            Err(e) => {
                log::warn!("reading the unit text {hash}: {e}");
                None
            }
        }
    }
}

impl Agent {
    /// Starts the agent's threads: heartbeat, the two watches, the reconciler.
    pub fn start(reg: Arc<Registry>, units: Arc<dyn Units>, cfg: Config) -> std::io::Result<Agent> {
        Agent::start_with(reg, units, cfg, Default::default())
    }

    /// [`Agent::start`], keeping `served` (what its HTTP port may show) up to date.
    pub fn start_with(
        reg: Arc<Registry>,
        units: Arc<dyn Units>,
        cfg: Config,
        served: http::Served,
    ) -> std::io::Result<Agent> {
        let (wake_tx, wake_rx) = mpsc::channel();
        let (publish_tx, publish_rx) = mpsc::channel();
        let shared = Arc::new(Shared {
            reg,
            units,
            cfg,
            stop: AtomicBool::new(false),
            stopped: Mutex::new(false),
            stopped_cv: parking_lot::Condvar::new(),
            heartbeat: Heartbeat::new(),
            view: Mutex::new(View::default()),
            wake_tx: Mutex::new(wake_tx),
            served,
            states: Mutex::new(None),
            publish_tx: Mutex::new(publish_tx),
            texts: Mutex::new(BTreeMap::new()),
        });
        let mut threads = Vec::new();
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new().name(name.into()).stack_size(512 << 10).spawn(f)
        };
        let s = shared.clone();
        threads.push(spawn("heartbeat", Box::new(move || heartbeat::run(s)))?);
        let s = shared.clone();
        threads.push(spawn("watch-schedule", Box::new(move || desired::follow(s, Part::Assignments)))?);
        let s = shared.clone();
        threads.push(spawn("watch-global", Box::new(move || desired::follow(s, Part::Globals)))?);
        let s = shared.clone();
        threads.push(spawn("publish", Box::new(move || publish::run(s, publish_rx)))?);
        let s = shared.clone();
        threads.push(spawn("reconcile", Box::new(move || Reconciler::new(s).run(wake_rx)))?);
        Ok(Agent { shared, threads })
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Tells the agent's threads to end, without waiting (then [`Agent::stop`] joins them):
    /// for stopping many agents at once.
    pub fn begin_stop(&self) {
        self.shared.signal_stop();
    }

    /// Stops the agent. With `purge` (SIGTERM, as fleetd does), first hands every unit back:
    /// stops and unloads them, deletes their states and the machine's record, so the engine
    /// places them elsewhere at once instead of after the TTL.
    pub fn stop(self, purge: bool) {
        self.shared.signal_stop();
        for t in self.threads {
            let _ = t.join();
        }
        if purge {
            let s = &self.shared;
            let _ = s.reg.delete_machine(&s.cfg.machine_id);
            for name in managed_names(s) {
                if let Err(e) = s.units.unload(&name) {
                    log::warn!("handing {name} back: {e}");
                }
                let _ = s.reg.delete_state(&name, &s.cfg.machine_id);
            }
            save_managed(s, &BTreeSet::new(), &BTreeSet::new());
            log::info!("handed every unit back to the cluster");
        }
    }
}

/// The units this agent manages (loaded for the cluster), as saved.
fn managed_names(s: &Shared) -> BTreeSet<String> {
    s.cfg
        .state_dir
        .as_ref()
        .and_then(|d| std::fs::read(d.join("managed.json")).ok())
        .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
        .map(|m| m.managed)
        .unwrap_or_default()
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Saved {
    managed: BTreeSet<String>,
    launched: BTreeSet<String>,
}

fn save_managed(s: &Shared, managed: &BTreeSet<String>, launched: &BTreeSet<String>) {
    let Some(dir) = &s.cfg.state_dir else { return };
    let body = serde_json::to_vec(&Saved { managed: managed.clone(), launched: launched.clone() })
        .unwrap_or_default();
    if let Err(e) = std::fs::create_dir_all(dir)
        .and_then(|_| crate::os::file::write_atomic(&dir.join("managed.json"), &body))
    {
        log::warn!("saving the managed units: {e}");
    }
}

/// The reconciler thread's own state.
struct Reconciler {
    s: Arc<Shared>,
    /// Units loaded for the cluster (others on the machine are left alone).
    managed: BTreeSet<String>,
    /// Units this agent started and has not stopped since (fleet's "launched").
    launched: BTreeSet<String>,
    /// Units being unloaded by a helper thread (an unload waits for the unit to stop).
    busy: Arc<Mutex<BTreeSet<String>>>,
    was_fenced: bool,
}

impl Reconciler {
    fn new(s: Arc<Shared>) -> Reconciler {
        let saved = s
            .cfg
            .state_dir
            .as_ref()
            .and_then(|d| std::fs::read(d.join("managed.json")).ok())
            .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
            .unwrap_or_default();
        Reconciler {
            s,
            managed: saved.managed,
            launched: saved.launched,
            busy: Arc::new(Mutex::new(BTreeSet::new())),
            was_fenced: false,
        }
    }

    fn run(mut self, wake: Receiver<()>) {
        let changes = self.s.units.changes();
        let poll = if changes.is_some() { self.s.cfg.interval } else { Duration::from_secs(1) };
        if let Some(rx) = changes {
            let s = self.s.clone();
            let _ = std::thread::Builder::new().name("unit-changes".into()).spawn(move || {
                while rx.recv().is_ok() && !s.stop.load(Ordering::Relaxed) {
                    s.wake();
                }
            });
        }
        // Units the saved list names but the machine no longer has are forgotten.
        if let Ok(local) = self.s.units.list() {
            let have: BTreeSet<String> = local.iter().map(|l| l.name.clone()).collect();
            self.managed.retain(|n| have.contains(n));
            self.launched.retain(|n| self.managed.contains(n));
        }
        while !self.s.stop.load(Ordering::Relaxed) {
            // Wake at the fence, not a poll later: the units must be stopping by then.
            let fence = {
                let hb = self.s.heartbeat.lock();
                if hb.fenced { None } else { Some(hb.fence_at(self.s.cfg.ttl)) }
            };
            let wait = fence.map_or(poll, |f| poll.min(f.saturating_duration_since(Instant::now())));
            if wake.recv_timeout(wait).is_ok() {
                // What the engine writes together arrives together: take it in one pass.
                std::thread::sleep(Duration::from_millis(10));
            }
            while wake.try_recv().is_ok() {}
            if self.s.stop.load(Ordering::Relaxed) {
                break;
            }
            self.pass();
        }
    }

    /// One reconcile: fence, desired vs managed, tasks, states.
    fn pass(&mut self) {
        let ttl = self.s.cfg.ttl;
        let fenced = {
            let mut hb = self.s.heartbeat.lock();
            if !hb.fenced && hb.past_fence(ttl) {
                hb.fenced = true;
                log::warn!(
                    "the machine's record has not been renewed for {}s: its units are being placed \
                     elsewhere; stopping them here",
                    ttl.as_secs()
                );
            }
            hb.fenced
        };
        if !fenced && self.was_fenced {
            // Back in the cluster: what the engine did meanwhile must be read before acting.
            if desired::read(&self.s, Part::Assignments)
                .and_then(|_| desired::read(&self.s, Part::Globals))
                .is_err()
            {
                return;
            }
        }
        self.was_fenced = fenced;
        let want = if fenced { Vec::new() } else { self.desired() };
        let Ok(local) = self.s.units.list() else { return };
        let local: BTreeMap<String, units::Local> = local.into_iter().map(|l| (l.name.clone(), l)).collect();
        let busy = self.busy.lock().clone();
        let current: Vec<Current> = self
            .managed
            .iter()
            .filter(|n| !busy.contains(*n))
            .filter_map(|n| local.get(n))
            .map(|l| Current {
                name: l.name.clone(),
                hash: l.hash.clone(),
                running: self.launched.contains(&l.name),
            })
            .collect();
        let want_free: Vec<Want> = want.iter().filter(|w| !busy.contains(&w.name)).cloned().collect();
        let tasks = reconcile::reconcile(&want_free, &current);
        let hashes: BTreeMap<&str, &str> = want.iter().map(|w| (w.name.as_str(), w.hash.as_str())).collect();
        let mut changed = false;
        for t in &tasks {
            changed |= self.carry_out(t, &hashes);
        }
        if changed {
            save_managed(&self.s, &self.managed, &self.launched);
        }
        let desired_of: BTreeMap<&str, Desired> = want
            .iter()
            .map(|w| {
                let d = if w.state == DesiredState::Launched { Desired::Launched } else { Desired::Loaded };
                (w.name.as_str(), d)
            })
            .collect();
        *self.s.served.lock() = self.managed.iter().chain(busy.iter()).cloned().collect();
        let local = self.s.units.list().unwrap_or_default();
        let picture = publish::picture(
            &self.s.cfg.machine_id,
            &self.managed,
            &self.launched,
            &desired_of,
            &local,
            &busy,
        );
        *self.s.states.lock() = Some(picture);
        let _ = self.s.publish_tx.lock().send(());
    }

    /// Carries out one task; true when the managed or launched set changed.
    fn carry_out(&mut self, t: &Task, hashes: &BTreeMap<&str, &str>) -> bool {
        let s = &self.s;
        match t {
            Task::Load(n) => {
                let Some(text) = hashes.get(n.as_str()).and_then(|h| s.text(h)) else { return false };
                match s.units.load(n, &text) {
                    Ok(()) => {
                        log::info!("loaded {n}");
                        self.managed.insert(n.clone())
                    }
                    Err(e) => {
                        log::warn!("loading {n}: {e}");
                        false
                    }
                }
            }
            Task::Start(n) => match s.units.start(n) {
                Ok(()) => {
                    log::info!("started {n}");
                    self.launched.insert(n.clone())
                }
                Err(e) => {
                    log::warn!("starting {n}: {e}");
                    false
                }
            },
            Task::Stop(n) => {
                if let Err(e) = s.units.stop(n) {
                    log::warn!("stopping {n}: {e}");
                }
                log::info!("stopping {n}");
                self.launched.remove(n)
            }
            Task::Unload(n) => {
                // An unload waits for the unit to stop (a `docker stop` can take seconds): a
                // helper thread does it, and the unit is left alone meanwhile.
                self.launched.remove(n);
                self.busy.lock().insert(n.clone());
                let (s2, busy, name) = (s.clone(), self.busy.clone(), n.clone());
                let spawned = std::thread::Builder::new().name("unload".into()).spawn(move || {
                    match s2.units.unload(&name) {
                        Ok(()) => log::info!("unloaded {name}"),
                        Err(e) => log::warn!("unloading {name}: {e}"),
                    }
                    busy.lock().remove(&name);
                    s2.wake();
                });
                if spawned.is_err() {
                    self.busy.lock().remove(n);
                    return false;
                }
                self.managed.remove(n);
                true
            }
        }
    }

    /// The units this machine should have: its assignments, and the global units whose
    /// requirements it meets (and that conflict with nothing else it runs).
    fn desired(&self) -> Vec<Want> {
        let v = self.s.view.lock();
        let me = &self.s.cfg.machine_id;
        let mut want: Vec<Want> = v
            .assignments
            .iter()
            .map(|(name, a)| Want { name: name.clone(), hash: a.hash.clone(), state: state_of(a.desired) })
            .collect();
        for (name, g) in &v.globals {
            if g.desired == Desired::Inactive || !g.requirements.accepts_machine(me, &self.s.cfg.metadata) {
                continue;
            }
            let conflict = want.iter().any(|w| {
                w.name != *name
                    && (g.requirements.conflicts.iter().any(|c| crate::sched::glob::matches(c, &w.name))
                        || v.globals.get(&w.name).is_some_and(|o| {
                            o.requirements.conflicts.iter().any(|c| crate::sched::glob::matches(c, name))
                        }))
            });
            if !conflict && !want.iter().any(|w| w.name == *name) {
                want.push(Want { name: name.clone(), hash: g.hash.clone(), state: state_of(g.desired) });
            }
        }
        want
    }
}

fn state_of(d: Desired) -> DesiredState {
    if d == Desired::Launched { DesiredState::Launched } else { DesiredState::Loaded }
}
