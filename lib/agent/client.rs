//! The control socket's client side: one connection per request, one JSON request line out,
//! one JSON reply line back. [`super::Handle::connect`] is the typed way to use it.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::error::{Error, Result};
use super::protocol::{Reply, Request};

/// Sends one request to the daemon listening on `socket` and reads its reply as sent (an
/// error reply is `Ok(Reply::Error {..})`; only failing to talk to the daemon is an `Err`).
pub fn ask(socket: &Path, req: &Request) -> Result<Reply> {
    let unreachable = |e: std::io::Error| {
        Error::Unavailable(format!(
            "cannot reach the daemon at {}: {e} (is `unit-run daemon` running with this --run-dir?)",
            socket.display()
        ))
    };
    let mut conn = UnixStream::connect(socket).map_err(unreachable)?;
    let mut body =
        serde_json::to_vec(req).map_err(|e| Error::Internal(format!("encoding a request: {e}")))?;
    body.push(b'\n');
    conn.write_all(&body).map_err(unreachable)?;
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).map_err(unreachable)?;
    serde_json::from_str(&line)
        .map_err(|e| Error::Internal(format!("the daemon's answer is not understood: {e}")))
}
