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
    let checked = flags.check(ctx.reg.client.endpoints(), ctx.reg.keys.clone()).map_err(|e| {
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
