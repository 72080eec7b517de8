//! The flags every client program takes to reach a secured cluster — etcdctl's `--ca-file`,
//! `--cert-file`, `--key-file` and `--username user[:password]` — each with the environment
//! names its program reads (`KV_CA_FILE`, then etcdctl's `ETCDCTL_CA_FILE`; fleet's
//! `FLEET_ETCD_CAFILE` for unit-run and unit-sched).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::client::Credentials;
use crate::tls::{ClientFiles, ClientTls};

/// TLS toward the store: one definition for every program.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsFlags {
    /// Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first].
    #[arg(long, global = true, value_name = "FILE", help_heading = "Security")]
    pub ca_file: Option<PathBuf>,
    /// Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first].
    #[arg(long, global = true, value_name = "FILE", help_heading = "Security")]
    pub cert_file: Option<PathBuf>,
    /// The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first].
    #[arg(long, global = true, value_name = "FILE", help_heading = "Security")]
    pub key_file: Option<PathBuf>,
}

/// Which environment variables a program reads, in order, when a flag is not given.
pub struct EnvNames {
    pub ca: &'static [&'static str],
    pub cert: &'static [&'static str],
    pub key: &'static [&'static str],
}

/// kv's and disco's: its own names first, then etcdctl's.
pub const KV_ENV: EnvNames = EnvNames {
    ca: &["KV_CA_FILE", "ETCDCTL_CA_FILE"],
    cert: &["KV_CERT_FILE", "ETCDCTL_CERT_FILE"],
    key: &["KV_KEY_FILE", "ETCDCTL_KEY_FILE"],
};

/// unit-run's and unit-sched's: fleet's (fleet.conf's `etcd_cafile`…).
pub const FLEET_ENV: EnvNames = EnvNames {
    ca: &["FLEET_ETCD_CAFILE", "KV_CA_FILE", "ETCDCTL_CA_FILE"],
    cert: &["FLEET_ETCD_CERTFILE", "KV_CERT_FILE", "ETCDCTL_CERT_FILE"],
    key: &["FLEET_ETCD_KEYFILE", "KV_KEY_FILE", "ETCDCTL_KEY_FILE"],
};

fn from_env(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|n| std::env::var_os(n).filter(|v| !v.is_empty()).map(PathBuf::from))
}

impl TlsFlags {
    /// The files named by the flags, else by the environment.
    pub fn files(&self, env: &EnvNames) -> ClientFiles {
        ClientFiles::from_flags(
            self.ca_file.clone().or_else(|| from_env(env.ca)),
            self.cert_file.clone().or_else(|| from_env(env.cert)),
            self.key_file.clone().or_else(|| from_env(env.key)),
        )
    }

    /// Reads and checks the files.
    pub fn load(&self, env: &EnvNames) -> Result<ClientTls, String> {
        ClientTls::load(&self.files(env)).map_err(|e| e.to_string())
    }
}

/// A server's TLS from its flags, named as the program names them (`["--agent-cert-file",
/// "--agent-key-file", "--agent-trusted-ca-file"]`): None without a certificate.
pub fn server_tls(
    cert: Option<&std::path::Path>,
    key: Option<&std::path::Path>,
    trusted_ca: Option<&std::path::Path>,
    client_cert_auth: bool,
    names: [&str; 3],
) -> Result<Option<crate::tls::ServerTls>, String> {
    use crate::tls::files::Named;
    let (cert, key) = match (cert, key) {
        (None, None) if client_cert_auth || trusted_ca.is_some() => {
            return Err(format!("{} needs {} and {}", names[2], names[0], names[1]));
        }
        (None, None) => return Ok(None),
        (Some(c), Some(k)) => (Named::new(names[0], c), Named::new(names[1], k)),
        (Some(_), None) => return Err(format!("{} is given without {}", names[0], names[1])),
        (None, Some(_)) => return Err(format!("{} is given without {}", names[1], names[0])),
    };
    let files = crate::tls::ServerFiles {
        cert,
        key,
        trusted_ca: trusted_ca.map(|p| Named::new(names[2], p)),
        client_cert_auth,
    };
    crate::tls::ServerTls::load(&files).map(Some).map_err(|e| e.to_string())
}

/// `--username user[:password]`: the password is asked for (on the terminal, without echo;
/// else read as one line of stdin) when not given, as etcdctl does.
pub fn credentials(username: &str) -> Result<Credentials, String> {
    if let Some((user, password)) = username.split_once(':') {
        return Ok(Credentials { user: user.to_string(), password: password.to_string() });
    }
    let password = read_password("Password: ")?;
    Ok(Credentials { user: username.to_string(), password })
}

/// One line from the terminal with echo off, or from stdin when it is not a terminal; blanks
/// around it are dropped, as etcdctl drops them.
pub fn read_password(prompt: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| format!("reading the password: {e}"))?;
        return Ok(line.trim().to_string());
    }
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    let saved = tcgetattr(&stdin).map_err(|e| format!("reading the password: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
    let mut line = String::new();
    let got = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    let _ = writeln!(err);
    got.map_err(|e| format!("reading the password: {e}"))?;
    Ok(line.trim().to_string())
}
