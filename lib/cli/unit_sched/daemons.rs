//! `unit-sched engine`: the engine ([`crate::sched::engine`]) until SIGTERM or SIGINT, when it
//! gives its lease up so another engine takes over at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};

use super::{Ctx, Res};
use crate::sched::engine::{self, Config};

/// Blocks SIGTERM and SIGINT in this thread (and the threads it starts later) and sets `flag`
/// when one arrives.
pub fn stop_on_signal(flag: Arc<AtomicBool>) -> std::io::Result<()> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGINT);
    set.thread_block().map_err(std::io::Error::from)?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if set.wait().is_ok() {
            flag.store(true, Ordering::SeqCst);
        }
    })?;
    Ok(())
}

pub fn engine(ctx: &mut Ctx, machine_id: Option<&str>, interval: f64) -> Res {
    if !(interval > 0.0 && interval.is_finite()) {
        ctx.remark("unit-sched: --reconcile-interval must be a positive number of seconds");
        return Err(super::Stop(super::exit::USAGE));
    }
    let id = machine_id
        .map(str::to_string)
        .or_else(crate::os::host::etc_machine_id)
        .unwrap_or_else(|| crate::os::host::random_hex(16));
    let stop = Arc::new(AtomicBool::new(false));
    if let Err(e) = stop_on_signal(stop.clone()) {
        return Err(ctx.fail(format!("unit-sched: cannot wait for signals: {e}")));
    }
    let mut cfg = Config::new(&id);
    cfg.interval = Duration::from_secs_f64(interval);
    cfg.lease_ttl = cfg.interval * 5;
    log::info!("engine {id}: store {}", ctx.reg.client.endpoints().join(","));
    let c = engine::run(ctx.reg.clone(), cfg, &stop);
    log::info!("engine stopped ({} plans, {} writes, {} failed)", c.plans, c.writes, c.failed_writes);
    Ok(())
}

/// `unit-sched daemon`: the agent beside the machine's unit-run daemon (reached through its
/// socket), and unless disabled the engine, until SIGTERM.
pub fn daemon(
    ctx: &mut Ctx,
    run_dir: &std::path::Path,
    disable_engine: bool,
    interval: f64,
    flags: &crate::cli::cluster_agent::AgentFlags,
) -> Res {
    if !(interval > 0.0 && interval.is_finite()) {
        ctx.remark("unit-sched: --reconcile-interval must be a positive number of seconds");
        return Err(super::Stop(super::exit::USAGE));
    }
    let checked =
        flags.check(ctx.reg.client.endpoints(), ctx.reg.keys.clone(), ctx.tls.clone()).map_err(|e| {
            ctx.remark(format!("unit-sched: {e}"));
            super::Stop(super::exit::USAGE)
        })?;
    let stop = Arc::new(AtomicBool::new(false));
    if let Err(e) = stop_on_signal(stop.clone()) {
        return Err(ctx.fail(format!("unit-sched: cannot wait for signals: {e}")));
    }
    // The machine's daemon may still be starting (units start in order, not all at once).
    let handle = crate::agent::Handle::connect(run_dir);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let machine = loop {
        match handle.machine() {
            Ok(m) => break m,
            Err(e) if std::time::Instant::now() >= deadline || stop.load(Ordering::SeqCst) => {
                return Err(
                    ctx.fail(format!("unit-sched: no unit-run daemon answers in {}: {e}", run_dir.display()))
                );
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    let agent = crate::cli::cluster_agent::start(
        &checked,
        handle,
        &machine.machine_id,
        Some(run_dir.join("unit-sched")),
    )
    .map_err(|e| ctx.fail(format!("unit-sched: {e}")))?;
    let engine = (!disable_engine).then(|| {
        let mut cfg = Config::new(&machine.machine_id);
        cfg.interval = Duration::from_secs_f64(interval);
        cfg.lease_ttl = cfg.interval * 5;
        let (reg, stop) = (ctx.reg.clone(), stop.clone());
        std::thread::spawn(move || engine::run(reg, cfg, &stop))
    });
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    log::info!("handing this machine's units back to the cluster");
    agent.stop(true);
    if let Some(e) = engine {
        let _ = e.join();
    }
    Ok(())
}

/// `unit-sched simulate-agents`: many real agents on machines that run nothing.
pub fn simulate(ctx: &mut Ctx, agents: usize, ttl: &str) -> Res {
    use crate::sched::agent::units::Simulated;
    use crate::sched::agent::{Agent, Config as AgentConfig};
    let ttl = crate::cli::kv::parse_duration(ttl).map_err(|e| {
        ctx.remark(format!("unit-sched: --agent-ttl: {e}"));
        super::Stop(super::exit::USAGE)
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    if let Err(e) = stop_on_signal(stop.clone()) {
        return Err(ctx.fail(format!("unit-sched: cannot wait for signals: {e}")));
    }
    let mut running = Vec::with_capacity(agents);
    for i in 0..agents {
        let cfg = AgentConfig {
            machine_id: format!("{:08x}{:024x}", 0x51a0_0000u32 + i as u32, i),
            hostname: format!("sim{i}"),
            public_ip: format!("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256),
            metadata: Default::default(),
            agent_url: String::new(),
            ttl,
            interval: Duration::from_secs(5),
            state_dir: None,
        };
        // Each agent its own client (and connection pool), as on a machine of its own: one pool
        // shared by thousands of connections costs a scan of them all per request.
        let client = crate::client::Client::new(crate::client::Config {
            request_timeout: ctx.timeout,
            tls: ctx.tls.clone(),
            ..crate::client::Config::new(ctx.reg.client.endpoints())
        });
        let reg = Arc::new(crate::sched::registry::Registry::new(client, ctx.reg.keys.clone()));
        match Agent::start(reg, Arc::new(Simulated::default()), cfg) {
            Ok(a) => running.push(a),
            Err(e) => return Err(ctx.fail(format!("unit-sched: starting simulated agent {i}: {e}"))),
        }
    }
    log::info!("{agents} simulated agents running");
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    for a in &running {
        a.begin_stop();
    }
    for a in running {
        a.stop(true);
    }
    Ok(())
}
