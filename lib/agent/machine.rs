//! The facts about this machine a scheduler needs (`unit-run machine`): its ID, hostname,
//! addresses, and whether Docker answers.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Machine {
    pub machine_id: String,
    pub hostname: String,
    pub boot_id: String,
    /// Every non-loopback address first, then loopback ones (`1.2.3.4`, `fe80::1`).
    pub addresses: Vec<String>,
    pub docker: DockerFacts,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DockerFacts {
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The machine ID: `--machine-id` if given, else /etc/machine-id, else one made up and kept in
/// the run dir (so it is stable while the machine is up).
pub fn machine_id(given: Option<&str>, run_dir: &Path) -> std::io::Result<String> {
    if let Some(id) = given {
        return Ok(id.to_string());
    }
    if let Ok(s) = std::fs::read_to_string("/etc/machine-id")
        && s.trim().len() == 32
    {
        return Ok(s.trim().to_string());
    }
    let kept = run_dir.join("machine-id");
    if let Ok(s) = std::fs::read_to_string(&kept) {
        return Ok(s.trim().to_string());
    }
    let id = crate::os::host::random_hex(16);
    crate::os::file::write_atomic(&kept, format!("{id}\n").as_bytes())?;
    Ok(id)
}

pub fn addresses() -> Vec<String> {
    let mut out: Vec<(bool, String)> = Vec::new();
    if let Ok(ifs) = nix::ifaddrs::getifaddrs() {
        for i in ifs {
            let Some(addr) = i.address else { continue };
            let ip: Option<std::net::IpAddr> = if let Some(v4) = addr.as_sockaddr_in() {
                Some(v4.ip().into())
            } else {
                addr.as_sockaddr_in6().map(|v6| v6.ip().into())
            };
            if let Some(ip) = ip {
                let s = ip.to_string();
                if !out.iter().any(|(_, o)| *o == s) {
                    out.push((ip.is_loopback(), s));
                }
            }
        }
    }
    out.sort_by_key(|(lo, _)| *lo);
    out.into_iter().map(|(_, s)| s).collect()
}

pub fn facts(machine_id: &str, docker: &super::docker::Docker) -> Machine {
    let (available, version, error) = match docker.version() {
        Ok(v) => (true, Some(v), None),
        Err(e) => (false, None, Some(e)),
    };
    Machine {
        machine_id: machine_id.to_string(),
        hostname: crate::os::host::hostname(),
        boot_id: crate::os::host::boot_id(),
        addresses: addresses(),
        docker: DockerFacts { available, version, error },
    }
}
