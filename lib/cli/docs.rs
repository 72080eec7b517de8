//! Man pages and shell completions, generated from the same clap definitions the programs
//! parse with. `tests/docs.rs` fails when the committed files under man/ and completions/
//! differ from what this renders; `COREKIT_UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

/// Every program, with the hand-written sections its man page adds after the generated ones
/// (roff, each starting with `.SH`).
pub fn programs() -> Vec<(clap::Command, &'static str)> {
    vec![(super::kv_serve::Args::command(), KV_SERVE_EXTRA), (super::kv::Args::command(), KV_EXTRA)]
}

/// Renders every generated file: (path relative to the repository root, contents).
pub fn render() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for (cmd, extra) in programs() {
        let name = cmd.get_name().to_string();
        let mut page = Vec::new();
        let man = clap_mangen::Man::new(cmd.clone()).date("").source("corekit").manual("corekit");
        man.render(&mut page).expect("render to memory");
        page.extend_from_slice(extra.as_bytes());
        out.push((PathBuf::from(format!("man/{name}.1")), page));
        for (shell, path) in [
            (Shell::Bash, format!("completions/bash/{name}")),
            (Shell::Zsh, format!("completions/zsh/_{name}")),
            (Shell::Fish, format!("completions/fish/{name}.fish")),
        ] {
            let mut buf = Vec::new();
            let mut c = cmd.clone();
            clap_complete::generate(shell, &mut c, name.clone(), &mut buf);
            out.push((PathBuf::from(path), buf));
        }
    }
    out
}

const KV_SERVE_EXTRA: &str = r#".SH "HTTP API"
kv\-serve serves etcd's v2 API on every \fB\-\-listen\-client\-urls\fR address:
\fB/v2/keys\fR (GET with \fBrecursive\fR, \fBsorted\fR, \fBquorum\fR, \fBwait\fR, \fBwaitIndex\fR, \fBstream\fR;
PUT with \fBvalue\fR, \fBdir\fR, \fBttl\fR, \fBrefresh\fR, \fBprevExist\fR, \fBprevValue\fR, \fBprevIndex\fR;
POST for in\-order keys; DELETE with \fBdir\fR, \fBrecursive\fR, \fBprevValue\fR, \fBprevIndex\fR),
\fB/version\fR, \fB/health\fR, \fB/v2/members\fR, \fB/v2/members/leader\fR, \fB/v2/machines\fR and
\fB/v2/stats/self\fR, \fB/v2/stats/store\fR, \fB/v2/stats/leader\fR.
Errors carry etcd's JSON body \fB{"errorCode","message","cause","index"}\fR and HTTP status.
.SH CLUSTERS
Members found a cluster together from the same \fB\-\-initial\-cluster\fR and
\fB\-\-initial\-cluster\-token\fR, and talk Raft over HTTP on their peer URLs. To grow a running
cluster, add the member first (\fBkv member add NAME PEER_URL\fR, or \fBPOST /v2/members\fR), then
start it with \fB\-\-initial\-cluster\-state existing\fR and \fB\-\-initial\-cluster\fR listing the
cluster's members; it asks them for the membership and catches up from a snapshot. A member that
is removed stops. A data dir made with another \fB\-\-initial\-cluster\-token\fR is refused.
.SH DURABILITY
Every write goes through Raft. Log entries and the hard state are written to
\fIDATA_DIR\fR/kv.redb in one transaction that is fsynced before any client is answered,
so an acknowledged write survives a crash or \fBkill \-9\fR. Every \fB\-\-snapshot\-count\fR
applied entries the store is snapshotted into the same file and the log compacted behind it;
a restart loads the snapshot and replays the log. Keys with a TTL expire when the leader's
periodic "sync" entry (every 500 ms while such keys exist) is applied, so every member expires
the same keys at the same log position.
.SH LIMITS
A request's line and headers may take at most 64 KiB and must arrive within 30 s; a form body
may take at most 10 MiB and must arrive within 60 s. A larger or slower request gets error 210
(Invalid POST form) and its connection is closed; nothing is changed. Keys may have at most 1024
path segments (error 209). Values up to the body limit are accepted.
.SH "EXIT STATUS"
0 after a clean stop (SIGTERM or SIGINT); 2 for bad flags or environment variables (nothing
is created or bound); 3 when the member cannot start or its disk fails.
.SH EXAMPLES
One member with etcd's defaults, data in ./default.kv:
.PP
.nf
    kv\-serve
    curl \-L http://127.0.0.1:2379/v2/keys/message \-XPUT \-d value="CROC Cloud"
.fi
.SH "SEE ALSO"
etcd(1), etcdctl(1)
"#;

const KV_EXTRA: &str = r#".SH "EXIT STATUS"
etcdctl's own statuses: 0 success; 1 bad arguments, a directory where a key was expected
(\fBget\fR), or a failed \fBmember\fR command; 2 no endpoint answered while learning the
cluster's members; 4 the server answered with an error (key not found, compare failed, …)
or no endpoint answered the command; 5 \fBcluster\-health\fR found an unhealthy member.
\fBkv load\fR exits 2 when its input is bad (nothing is written then).
A closed standard output (\fBkv ls \-r / | head\fR) ends the command quietly with status 0.
.SH ENVIRONMENT
.TP
\fBKV_ENDPOINTS\fR
Endpoints when \fB\-\-endpoints\fR is not given.
.TP
\fBETCDCTL_ENDPOINTS\fR
Endpoints when neither \fB\-\-endpoints\fR nor \fBKV_ENDPOINTS\fR is set (then
\fBETCDCTL_ENDPOINT\fR and \fBETCDCTL_PEERS\fR, etcdctl's older names).
.TP
\fBETCD_WATCH_ACTION\fR, \fBETCD_WATCH_KEY\fR, \fBETCD_WATCH_VALUE\fR, \fBETCD_WATCH_MODIFIED_INDEX\fR
Set by \fBexec\-watch\fR for the command it runs on each change.
.SH "DIFFERENCES FROM ETCDCTL"
Output and statuses are etcdctl's, with these deliberate exceptions:
\fB\-o json\fR also works for \fBmember\fR and \fBcluster\-health\fR (one JSON object per line);
\fB\-o json watch \-r\fR prints only the JSON objects (etcdctl adds an \fB[action] key\fR line);
\fBexec\-watch\fR always takes the first word as the key; endpoints are tried in the order
given (etcdctl shuffles them); usage errors are clap's messages.
.SH EXAMPLES
.nf
    kv set /message "CROC Cloud"
    kv get /message
    kv \-o json ls \-\-recursive /
    kv watch \-\-forever \-\-recursive /services
    kv exec\-watch \-\-recursive /config \-\- systemctl reload app
    kv \-\-endpoints http://10.0.0.1:2379,http://10.0.0.2:2379 cluster\-health
    kv dump / \-\-endpoints=http://old\-etcd:2379 | kv load
.fi
.SH "SEE ALSO"
etcdctl(1), kv\-serve(1)
"#;
