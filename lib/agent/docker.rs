//! The Docker Engine API (through bollard), for what `docker` in Exec lines can't tell the
//! supervisor: which containers a unit has and in what state, and removing the ones a stopped
//! unit left behind. The engine is found as the docker CLI finds it (`DOCKER_HOST`, else
//! `/var/run/docker.sock`). Every call has a deadline; an engine that is missing or stuck makes
//! a call fail with a message, never the daemon stop.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The label a unit can set on its containers (`docker run --label corekit.unit=%n`) so that
/// status and cleanup find them without a `--name`.
pub const UNIT_LABEL: &str = "corekit.unit";

/// A container as status shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub id: String,
    pub image: String,
    /// created, running, paused, restarting, removing, exited, dead.
    pub state: String,
    /// Docker's own words: "Up 5 seconds", "Exited (137) 2 seconds ago".
    pub status: String,
    /// The unit named in its `corekit.unit` label, if any.
    pub unit_label: Option<String>,
}

pub struct Docker {
    rt: tokio::runtime::Runtime,
}

const CALL_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for Docker {
    fn default() -> Self {
        Self::new()
    }
}

impl Docker {
    pub fn new() -> Docker {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        Docker { rt }
    }

    fn call<T>(
        &self,
        what: &str,
        f: impl AsyncFnOnce(bollard::Docker) -> Result<T, bollard::errors::Error>,
    ) -> Result<T, String> {
        self.rt.block_on(async {
            let fut = async {
                let c = bollard::Docker::connect_with_defaults().map_err(|e| e.to_string())?;
                let c = c.negotiate_version().await.map_err(|e| e.to_string())?;
                f(c).await.map_err(|e| e.to_string())
            };
            match tokio::time::timeout(CALL_TIMEOUT, fut).await {
                Ok(r) => r.map_err(|e| format!("Docker engine: {what}: {e}")),
                Err(_) => Err(format!("Docker engine: {what}: no answer within {}s", CALL_TIMEOUT.as_secs())),
            }
        })
    }

    /// The engine's version, or why it can't be reached.
    pub fn version(&self) -> Result<String, String> {
        self.call("version", async |c| c.version().await).map(|v| v.version.unwrap_or_default())
    }

    /// Every container on the engine, running or not.
    pub fn all(&self) -> Result<Vec<Container>, String> {
        let opts = bollard::query_parameters::ListContainersOptions { all: true, ..Default::default() };
        let list = self.call("list containers", async move |c| c.list_containers(Some(opts)).await)?;
        Ok(list
            .into_iter()
            .map(|s| {
                let labels: HashMap<String, String> = s.labels.unwrap_or_default();
                Container {
                    name: s
                        .names
                        .and_then(|n| n.into_iter().next())
                        .map(|n| n.trim_start_matches('/').to_string())
                        .unwrap_or_default(),
                    id: s.id.unwrap_or_default().chars().take(12).collect(),
                    image: s.image.unwrap_or_default(),
                    state: s.state.map(|st| st.to_string()).unwrap_or_default(),
                    status: s.status.unwrap_or_default(),
                    unit_label: labels.get(UNIT_LABEL).cloned(),
                }
            })
            .collect())
    }

    /// The containers of a unit: those named in its Exec lines, and those labelled with it.
    pub fn of_unit(&self, unit: &str, names: &[String]) -> Result<Vec<Container>, String> {
        Ok(self
            .all()?
            .into_iter()
            .filter(|c| names.contains(&c.name) || c.unit_label.as_deref() == Some(unit))
            .collect())
    }

    /// Stops (waiting up to `grace`) and removes a container. Ok(false) when it was not there.
    pub fn remove(&self, name: &str, grace: Duration) -> Result<bool, String> {
        let n = name.to_string();
        let r = self.rt.block_on(async {
            let c = bollard::Docker::connect_with_defaults().map_err(|e| e.to_string())?;
            let c = c.negotiate_version().await.map_err(|e| e.to_string())?;
            let stop = bollard::query_parameters::StopContainerOptions {
                t: Some(grace.as_secs() as i32),
                signal: None,
            };
            let limit = grace + CALL_TIMEOUT;
            // A container that is already stopped is fine; one that is not there is done.
            if let Ok(Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })) =
                tokio::time::timeout(limit, c.stop_container(&n, Some(stop))).await
            {
                return Ok(false);
            }
            let rm = bollard::query_parameters::RemoveContainerOptions { force: true, v: false, link: false };
            match tokio::time::timeout(CALL_TIMEOUT, c.remove_container(&n, Some(rm))).await {
                Ok(Ok(())) => Ok(true),
                Ok(Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })) => {
                    Ok(false)
                }
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer".to_string()),
            }
        });
        r.map_err(|e: String| format!("Docker engine: remove {name}: {e}"))
    }
}
