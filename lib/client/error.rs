//! What can go wrong talking to an etcd v2 cluster, with the texts etcd's Go client prints, so
//! that a tool built on this client reports failures exactly like `etcdctl`.

use std::fmt;

/// An error answer from the server: etcd's JSON body `{errorCode, message, cause, index}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EtcdError {
    #[serde(rename = "errorCode")]
    pub code: u32,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub index: u64,
}

impl fmt::Display for EtcdError {
    /// `100: Key not found (/foo) [12]`, as etcd's Go client formats it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({}) [{}]", self.code, self.message, self.cause, self.index)
    }
}

/// Everything a request can end with other than a usable answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an etcd error (key not found, compare failed, …).
    #[error("{0}")]
    Etcd(EtcdError),
    /// No endpoint gave a usable answer; one line per endpoint tried, in order.
    #[error("{}", cluster_message(.0))]
    Cluster(Vec<String>),
    /// The whole command ran out of time (`--total-timeout`).
    #[error("context deadline exceeded")]
    DeadlineExceeded,
    /// The member list names no client URL at all.
    #[error("client: no endpoints available")]
    NoEndpoints,
    /// An endpoint in the configuration is not a usable URL.
    #[error("{0}")]
    BadEndpoint(String),
    /// The members API answered with a status the operation does not expect.
    #[error("unexpected status code {0}")]
    UnexpectedStatus(u16),
    /// The members API refused a change (`{"message": …}` body).
    #[error("{0}")]
    Members(String),
    /// A body that is not what the API documents.
    #[error("{0}")]
    Decode(String),
    /// The server ended a watch without an event (the watch should simply be retried).
    #[error("client: response is empty")]
    EmptyBody,
    /// A watch with an idle limit saw no change within it (retry with the same index).
    #[error("client: no change within the watch's wait")]
    Idle,
}

fn cluster_message(errors: &[String]) -> String {
    let mut s = String::from("client: etcd cluster is unavailable or misconfigured");
    for (i, e) in errors.iter().enumerate() {
        s.push_str(&format!("; error #{i}: {e}\n"));
    }
    s
}

impl Error {
    /// For a cluster error, one `error #N: …` line per endpoint (etcdctl prints it after the
    /// error itself); empty otherwise.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::Cluster(errors) => {
                let mut s = String::new();
                for (i, e) in errors.iter().enumerate() {
                    s.push_str(&format!("error #{i}: {e}\n"));
                }
                Some(s)
            }
            _ => None,
        }
    }

    /// The server's etcd error, when that is what this is.
    pub fn etcd(&self) -> Option<&EtcdError> {
        match self {
            Error::Etcd(e) => Some(e),
            _ => None,
        }
    }

    /// True when no endpoint could be reached at all (refused, unreachable, timed out): the
    /// case etcdctl reports with its "bad connection" exit status.
    pub fn is_connection(&self) -> bool {
        match self {
            Error::Cluster(errors) => errors.iter().all(|e| {
                e.starts_with("dial tcp")
                    || e.contains("exceeded header timeout")
                    || e.starts_with("read tcp")
            }),
            Error::DeadlineExceeded => true,
            _ => false,
        }
    }
}
