//! The control socket's server side: `RUN_DIR/unit-run.sock`, mode 0600, a thread that accepts
//! connections and one thread per connection that reads one request line, asks the daemon
//! (the same way an in-process [`super::Handle`] does) and writes one reply line.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::error::{Error, Result};
use super::handle::Local;
use super::protocol::{Reply, Request};

/// Largest request accepted (a unit file travels inside one).
const MAX_REQUEST: u64 = 4 * 1024 * 1024;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The listening socket and its thread.
pub(crate) struct Server {
    socket: PathBuf,
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Binds the socket (replacing a stale one) and serves it on a thread of its own.
pub(crate) fn start(socket: PathBuf, local: Local) -> Result<Server> {
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket)
        .map_err(|e| Error::Internal(format!("binding {}: {e}", socket.display())))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let done = Arc::new(AtomicBool::new(false));
    let stop = done.clone();
    let thread = std::thread::Builder::new()
        .name("control".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let local = local.clone();
                let _ = std::thread::Builder::new().name("conn".into()).spawn(move || serve(conn, &local));
            }
        })
        .map_err(|e| Error::Internal(format!("starting the control thread: {e}")))?;
    Ok(Server { socket, done, thread: Some(thread) })
}

impl Server {
    /// Stops accepting and removes the socket. Connections being served finish on their own.
    pub fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        // Wake the accept so that the thread sees it is done.
        let _ = UnixStream::connect(&self.socket);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn serve(conn: UnixStream, local: &Local) {
    let _ = conn.set_read_timeout(Some(READ_TIMEOUT));
    let mut line = Vec::new();
    let mut reader = BufReader::new((&conn).take(MAX_REQUEST));
    if reader.read_until(b'\n', &mut line).is_err() {
        return;
    }
    let reply = match serde_json::from_slice::<Request>(&line) {
        Err(e) => Error::BadInput(format!("bad request: {e}")).into(),
        Ok(req) => local.ask(req),
    };
    let mut out = serde_json::to_vec(&reply).unwrap_or_else(|e| {
        serde_json::to_vec(&Reply::from(Error::Internal(format!("encoding the reply: {e}"))))
            .unwrap_or_default()
    });
    out.push(b'\n');
    let _ = (&conn).write_all(&out);
}
