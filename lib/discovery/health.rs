//! A backend's health check, as a sidekick unit ran it: an HTTP URL that must answer below
//! 400 within the time limit, or a command that must exit 0 within it.

use std::time::Duration;

use super::command;

/// How to tell whether a backend is healthy.
#[derive(Clone, Debug)]
pub enum Check {
    Url(String),
    Command(String),
}

/// Runs the check once: `Err(why)` when the backend is not healthy.
pub fn run(check: &Check, limit: Duration) -> Result<(), String> {
    match check {
        Check::Url(url) => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .proxy(None)
                .timeout_global(Some(limit))
                .user_agent("disco (corekit) health check")
                .build()
                .into();
            match agent.get(url).call() {
                Ok(r) if r.status().as_u16() < 400 => Ok(()),
                Ok(r) => Err(format!("{url} answered {}", r.status())),
                Err(e) => Err(format!("{url}: {e}")),
            }
        }
        Check::Command(cmd) => {
            let o = command::run(cmd, &[], limit);
            if o.success {
                Ok(())
            } else if o.output.is_empty() {
                Err(format!("{cmd:?}: {}", o.status))
            } else {
                Err(format!("{cmd:?}: {}: {}", o.status, o.output))
            }
        }
    }
}
