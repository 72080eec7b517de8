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
