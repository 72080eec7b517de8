//! `unit-run daemon`: takes the run dir (one daemon per run dir, held by a lock), becomes a
//! child subreaper, restores the units it was running, and serves the control socket until
//! SIGTERM, when it stops every unit cleanly and exits.
//!
//! A daemon that is restarted does not adopt the processes of the one before: after a clean
//! stop there are none; after a crash (`kill -9`) it kills what is left in the units' cgroups,
//! then starts again the units that were meant to be running.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use sha1::{Digest, Sha1};

use super::cgroup::Cgroups;
use super::docker::Docker;
use super::protocol::{Request, Response, UnitStatus, code};
use super::supervisor::{Event, Supervisor};
use super::{RunDir, machine, signals};

pub struct Options {
    pub run_dir: PathBuf,
    pub machine_id: Option<String>,
    pub journal_max_bytes: u64,
    pub no_cgroups: bool,
}

/// Largest request accepted on the control socket (a unit file travels inside one).
const MAX_REQUEST: u64 = 4 * 1024 * 1024;

pub fn run(opts: Options) -> anyhow::Result<()> {
    signals::block();
    let run = RunDir::new(&opts.run_dir);
    run.create().map_err(|e| anyhow::anyhow!("creating {}: {e}", run.root.display()))?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(run.state().join("lock"))?;
    // Held for the daemon's life: one daemon per run dir.
    let Ok(_lock) = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusiveNonblock) else {
        anyhow::bail!("another unit-run daemon is using {}", run.root.display());
    };
    signals::become_subreaper().map_err(|e| anyhow::anyhow!("becoming a child subreaper: {e}"))?;
    let machine_id = machine::machine_id(opts.machine_id.as_deref(), &run.root)?;
    let root = std::fs::canonicalize(&run.root).unwrap_or(run.root.clone());
    let tag: String = Sha1::digest(root.as_os_str().as_encoded_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let cgroups = if opts.no_cgroups { Cgroups::default() } else { Cgroups::detect(&tag) };
    let docker = Arc::new(Docker::new());
    let (tx, rx) = mpsc::channel();
    {
        let (tx1, tx2) = (tx.clone(), tx.clone());
        signals::spawn_thread(
            move |pid, exit| {
                let _ = tx1.send(Event::Child(pid, exit));
            },
            move |_| {
                let _ = tx2.send(Event::Shutdown);
            },
        )?;
    }
    let mut sup = Supervisor::new(
        run.clone(),
        cgroups.clone(),
        docker.clone(),
        tx.clone(),
        machine_id.clone(),
        opts.journal_max_bytes,
    );
    sup.restore();

    let sock = run.socket();
    let _ = std::fs::remove_file(&sock);
    let listener =
        UnixListener::bind(&sock).map_err(|e| anyhow::anyhow!("binding {}: {e}", sock.display()))?;
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o600))?;
    {
        let tx = tx.clone();
        let docker = docker.clone();
        let machine_id = machine_id.clone();
        std::thread::Builder::new().name("control".into()).spawn(move || {
            for conn in listener.incoming().flatten() {
                let (tx, docker, machine_id) = (tx.clone(), docker.clone(), machine_id.clone());
                let _ = std::thread::Builder::new()
                    .name("conn".into())
                    .spawn(move || serve(conn, &tx, &docker, &machine_id));
            }
        })?;
    }
    log::info!(
        "daemon ready on {} (machine {machine_id}, {})",
        sock.display(),
        if cgroups.available() {
            "a cgroup per unit"
        } else {
            "no cgroups: units tracked by session and INVOCATION_ID"
        }
    );
    sup.run(rx);
    let _ = std::fs::remove_file(&sock);
    cgroups.remove_base();
    log::info!("every unit stopped; exiting");
    Ok(())
}

fn serve(conn: UnixStream, tx: &Sender<Event>, docker: &Docker, machine_id: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let mut line = Vec::new();
    let mut reader = BufReader::new((&conn).take(MAX_REQUEST));
    if reader.read_until(b'\n', &mut line).is_err() {
        return;
    }
    let resp = match serde_json::from_slice::<Request>(&line) {
        Err(e) => Response::err(code::BAD_INPUT, format!("bad request: {e}")),
        Ok(Request::Machine) => {
            Response::ok(serde_json::to_value(machine::facts(machine_id, docker)).unwrap())
        }
        Ok(req) => {
            let is_status = matches!(req, Request::Status { .. });
            let (rtx, rrx) = mpsc::channel();
            if tx.send(Event::Request(req, rtx)).is_err() {
                Response::err(code::FAILURE, "the daemon is exiting")
            } else {
                match rrx.recv() {
                    Ok(mut r) if is_status && r.ok => {
                        add_containers(&mut r, docker);
                        r
                    }
                    Ok(r) => r,
                    Err(_) => Response::err(code::FAILURE, "the daemon dropped the request"),
                }
            }
        }
    };
    let mut out = serde_json::to_vec(&resp).unwrap();
    out.push(b'\n');
    let _ = (&conn).write_all(&out);
}

/// Fills in a status answer's containers from the Docker engine (outside the supervisor
/// thread, so a slow engine never holds up units).
fn add_containers(r: &mut Response, docker: &Docker) {
    let Ok(mut st) = serde_json::from_value::<UnitStatus>(r.data.clone()) else { return };
    match docker.of_unit(&st.name, &st.container_names) {
        Ok(cs) => st.containers = cs,
        Err(e) => {
            if !st.container_names.is_empty() {
                st.docker_error = Some(e);
            }
        }
    }
    r.data = serde_json::to_value(st).unwrap();
}
