//! The keys API (`/v2/keys`): nodes, answers, and the get/set/create/delete/watch operations
//! with the options etcd's Go client offers.

use serde::{Deserialize, Serialize};

use super::transport::Request;
use super::{Client, Error, EtcdError};

/// One node of the tree: a key with a value, or a directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub dir: bool,
    #[serde(default)]
    pub value: String,
    /// Children of a directory, when the server sent them (`null` otherwise).
    #[serde(default)]
    pub nodes: Option<Vec<Node>>,
    #[serde(default, rename = "createdIndex")]
    pub created_index: u64,
    #[serde(default, rename = "modifiedIndex")]
    pub modified_index: u64,
    /// RFC 3339 time the node expires, as the server wrote it.
    #[serde(default)]
    pub expiration: Option<String>,
    /// Seconds left to live; 0 for a node without TTL.
    #[serde(default)]
    pub ttl: i64,
}

impl Node {
    /// This node and all its descendants, depth first, parents before children.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = vec![self];
        for c in self.nodes.iter().flatten() {
            out.extend(c.walk());
        }
        out
    }
}

/// A successful answer of the keys API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Response {
    pub action: String,
    pub node: Node,
    #[serde(default, rename = "prevNode")]
    pub prev_node: Option<Node>,
    /// `X-Etcd-Index` of the answer.
    #[serde(skip)]
    pub index: u64,
    /// `X-Etcd-Cluster-ID` of the answer, when the server sent one.
    #[serde(skip)]
    pub cluster_id: Option<String>,
}

/// Options of a GET.
#[derive(Clone, Copy, Debug, Default)]
pub struct GetOptions {
    pub recursive: bool,
    pub sorted: bool,
    pub quorum: bool,
}

/// Whether a write requires the key to exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrevExist {
    #[default]
    Ignore,
    MustExist,
    MustNotExist,
}

/// Options of a PUT.
#[derive(Clone, Debug, Default)]
pub struct SetOptions {
    pub prev_value: Option<String>,
    pub prev_index: u64,
    pub prev_exist: PrevExist,
    /// Seconds; 0 means no TTL.
    pub ttl: u64,
    pub refresh: bool,
    pub dir: bool,
}

/// Options of a DELETE.
#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    pub prev_value: Option<String>,
    pub prev_index: u64,
    pub dir: bool,
    pub recursive: bool,
}

/// Percent-encodes every byte except ASCII letters, digits and `keep`.
fn escape(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What Go leaves unescaped in a URL path.
const PATH_KEEP: &[u8] = b"-_.~$&+,/:;=@";
/// What Go leaves unescaped in a query value or form field (space becomes `+` there; `%20`
/// means the same to every server).
const QUERY_KEEP: &[u8] = b"-_.~";

/// Where a store's keys are: `/v2/keys`.
pub const KEYS_PREFIX: &str = "/v2/keys";

/// `/v2/keys` + key, with a leading slash added when missing.
pub fn key_path(key: &str) -> String {
    prefixed_key_path(KEYS_PREFIX, key)
}

/// `prefix` + key (escaped), with a leading slash added when missing.
pub fn prefixed_key_path(prefix: &str, key: &str) -> String {
    let key = if key.starts_with('/') { key.to_string() } else { format!("/{key}") };
    format!("{prefix}{}", escape(&key, PATH_KEEP))
}

fn encode_pairs(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", escape(v, QUERY_KEEP))).collect::<Vec<_>>().join("&")
}

fn with_query(path: String, mut pairs: Vec<(&str, String)>) -> String {
    if pairs.is_empty() {
        return path;
    }
    // Go's url.Values.Encode sorts by key.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    format!("{path}?{}", encode_pairs(&pairs))
}

/// Parses a keys API answer: a response for 200/201, the etcd error otherwise.
pub(crate) fn parse_answer(a: super::transport::Answer) -> Result<Response, Error> {
    match a.status {
        200 | 201 => {
            if a.body.trim().is_empty() {
                return Err(Error::EmptyBody);
            }
            let mut r: Response = serde_json::from_str(&a.body)
                .map_err(|e| Error::Decode(format!("{}: invalid answer: {e}", a.endpoint)))?;
            r.index = a.index.unwrap_or(0);
            r.cluster_id = a.cluster_id;
            Ok(r)
        }
        _ => {
            if a.body.trim().is_empty() {
                return Err(Error::EmptyBody);
            }
            match serde_json::from_str::<EtcdError>(&a.body) {
                Ok(e) => Err(Error::Etcd(e)),
                Err(_) => {
                    Err(Error::Decode(format!("unexpected status code {} from {}", a.status, a.endpoint)))
                }
            }
        }
    }
}

impl Client {
    /// The request path of `key` for this client (its key prefix + the escaped key).
    pub fn key_path(&self, key: &str) -> String {
        prefixed_key_path(&self.key_prefix, key)
    }

    /// GET a key or directory.
    pub fn get(&self, key: &str, o: GetOptions) -> Result<Response, Error> {
        let mut q = Vec::new();
        if o.quorum {
            q.push(("quorum", "true".to_string()));
        }
        if o.recursive {
            q.push(("recursive", "true".to_string()));
        }
        if o.sorted {
            q.push(("sorted", "true".to_string()));
        }
        parse_answer(self.send(&Request::get(with_query(self.key_path(key), q)))?)
    }

    /// PUT a value (or a directory with `o.dir`).
    pub fn set(&self, key: &str, value: &str, o: &SetOptions) -> Result<Response, Error> {
        let mut q = Vec::new();
        let mut form = Vec::new();
        if o.dir {
            q.push(("dir", "true".to_string()));
        } else {
            if let Some(pv) = o.prev_value.as_ref().filter(|v| !v.is_empty()) {
                q.push(("prevValue", pv.clone()));
            }
            form.push(("value", value.to_string()));
        }
        if o.prev_index != 0 {
            q.push(("prevIndex", o.prev_index.to_string()));
        }
        match o.prev_exist {
            PrevExist::Ignore => {}
            PrevExist::MustExist => q.push(("prevExist", "true".to_string())),
            PrevExist::MustNotExist => q.push(("prevExist", "false".to_string())),
        }
        if o.ttl > 0 {
            form.push(("ttl", o.ttl.to_string()));
        }
        if o.refresh {
            form.push(("refresh", "true".to_string()));
        }
        form.sort_by(|a, b| a.0.cmp(b.0));
        let req = Request {
            method: "PUT",
            target: with_query(self.key_path(key), q),
            body: Some(("application/x-www-form-urlencoded".into(), encode_pairs(&form).into_bytes())),
            long_poll: false,
        };
        parse_answer(self.send(&req)?)
    }

    /// POST a value under directory `dir`: a new key named after the write's index.
    pub fn create_in_order(&self, dir: &str, value: &str, ttl: u64) -> Result<Response, Error> {
        let mut form = vec![("value", value.to_string())];
        if ttl > 0 {
            form.push(("ttl", ttl.to_string()));
        }
        let req = Request {
            method: "POST",
            target: self.key_path(dir),
            body: Some(("application/x-www-form-urlencoded".into(), encode_pairs(&form).into_bytes())),
            long_poll: false,
        };
        parse_answer(self.send(&req)?)
    }

    /// DELETE a key or directory.
    pub fn delete(&self, key: &str, o: &DeleteOptions) -> Result<Response, Error> {
        let mut q = Vec::new();
        if let Some(pv) = o.prev_value.as_ref().filter(|v| !v.is_empty()) {
            q.push(("prevValue", pv.clone()));
        }
        if o.prev_index != 0 {
            q.push(("prevIndex", o.prev_index.to_string()));
        }
        if o.dir {
            q.push(("dir", "true".to_string()));
        }
        if o.recursive {
            q.push(("recursive", "true".to_string()));
        }
        let req = Request {
            method: "DELETE",
            target: with_query(self.key_path(key), q),
            body: None,
            long_poll: false,
        };
        parse_answer(self.send(&req)?)
    }

    /// A watcher on `key` that reports changes after index `after_index` (0: from now).
    pub fn watcher(&self, key: &str, after_index: u64, recursive: bool) -> Watcher<'_> {
        Watcher {
            client: self,
            key: key.to_string(),
            recursive,
            wait_index: if after_index > 0 { after_index + 1 } else { 0 },
        }
    }

    /// A watcher on `key` that reports every change after index `after` — 0 included
    /// (everything from index 1), where [`Client::watcher`] would start "from now".
    pub fn watcher_after(&self, key: &str, after: u64, recursive: bool) -> Watcher<'_> {
        Watcher { client: self, key: key.to_string(), recursive, wait_index: after + 1 }
    }
}

/// A stream of changes under one key (`wait=true&stream=true`): one request, every event as the
/// server sends it — a watcher that must keep up with a busy directory cannot afford a round
/// trip per event. The stream is re-opened every `limit` (and after an error) by the caller,
/// from [`EventStream::next_index`], so nothing is missed.
pub struct EventStream {
    reader: Box<dyn std::io::BufRead + Send>,
    next_index: u64,
    /// The store's index when the watch began (`X-Etcd-Index`).
    start_index: u64,
    /// An event from the history came: etcd sends one such event and nothing more on that
    /// stream (kv-serve sends them all, then the live ones), so the stream is done after it.
    done: bool,
}

impl EventStream {
    /// The index the next event must have (for opening the stream again).
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// The next event; `None` when the stream ended (its time was up, or the server went away).
    pub fn next_event(&mut self) -> Option<Result<Response, Error>> {
        if self.done {
            return None;
        }
        let mut line = String::new();
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) if line.trim().is_empty() => continue,
                Ok(_) => {}
            }
            return Some(match serde_json::from_str::<Response>(&line) {
                Ok(r) => {
                    self.next_index = r.node.modified_index + 1;
                    self.done = r.node.modified_index <= self.start_index;
                    Ok(r)
                }
                Err(e) => Err(Error::Decode(format!("a watch event: {e}"))),
            });
        }
    }
}

impl Client {
    /// Opens a stream of the changes under `key` with an index above `after_index` (which must
    /// be given: a stream "from now" would miss what happened between a read and the watch).
    /// An etcd error (401: the index is older than the event history) is an `Err`.
    pub fn watch_stream(
        &self,
        key: &str,
        after_index: u64,
        recursive: bool,
        limit: std::time::Duration,
    ) -> Result<EventStream, Error> {
        let mut q = vec![("wait", "true".to_string()), ("stream", "true".to_string())];
        q.push(("waitIndex", (after_index + 1).to_string()));
        if recursive {
            q.push(("recursive", "true".to_string()));
        }
        let req =
            Request { method: "GET", target: with_query(key_path(key), q), body: None, long_poll: true };
        match self.open_stream(&req, limit)? {
            Ok((reader, start_index)) => {
                Ok(EventStream { reader, next_index: after_index + 1, start_index, done: false })
            }
            Err(answer) => match parse_answer(answer) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::Decode("a watch stream answered without streaming".into())),
            },
        }
    }
}

/// Successive changes under one key: each `next_change()` long-polls for the next event.
pub struct Watcher<'a> {
    client: &'a Client,
    key: String,
    recursive: bool,
    wait_index: u64,
}

impl Watcher<'_> {
    /// The index the next change must have (`waitIndex`); 0 for "from now".
    pub fn wait_index(&self) -> u64 {
        self.wait_index
    }

    /// Like [`Watcher::next_change`], but gives up after `idle` without a change (`Ok(None)`);
    /// the next call resumes from the same index, so nothing is missed. A member that does not
    /// answer the request within the client's request timeout is failed over from.
    pub fn next_change_within(&mut self, idle: std::time::Duration) -> Result<Option<Response>, Error> {
        loop {
            let mut q = vec![("wait", "true".to_string())];
            if self.wait_index > 0 {
                q.push(("waitIndex", self.wait_index.to_string()));
            }
            if self.recursive {
                q.push(("recursive", "true".to_string()));
            }
            let req = Request {
                method: "GET",
                target: with_query(key_path(&self.key), q),
                body: None,
                long_poll: true,
            };
            let answer = match self.client.send_watch(&req, idle) {
                Ok(a) => a,
                Err(Error::Idle) => return Ok(None),
                Err(e) => return Err(e),
            };
            match parse_answer(answer) {
                Ok(r) => {
                    self.wait_index = r.node.modified_index + 1;
                    return Ok(Some(r));
                }
                Err(Error::EmptyBody) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Blocks until the next change (no deadline), then moves past it.
    pub fn next_change(&mut self) -> Result<Response, Error> {
        loop {
            let mut q = vec![("wait", "true".to_string())];
            if self.wait_index > 0 {
                q.push(("waitIndex", self.wait_index.to_string()));
            }
            if self.recursive {
                q.push(("recursive", "true".to_string()));
            }
            let req = Request {
                method: "GET",
                target: with_query(self.client.key_path(&self.key), q),
                body: None,
                long_poll: true,
            };
            match parse_answer(self.client.send(&req)?) {
                Ok(r) => {
                    self.wait_index = r.node.modified_index + 1;
                    return Ok(r);
                }
                Err(Error::EmptyBody) => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_queries_are_escaped_like_go() {
        assert_eq!(key_path("foo"), "/v2/keys/foo");
        assert_eq!(key_path("/a b/c?d#e%"), "/v2/keys/a%20b/c%3Fd%23e%25");
        assert_eq!(
            with_query("/x".into(), vec![("sorted", "true".into()), ("prevValue", "a b&c".into())]),
            "/x?prevValue=a%20b%26c&sorted=true"
        );
    }
}
