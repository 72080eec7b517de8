//! Man pages and shell completions, generated from the same clap definitions the programs
//! parse with. `tests/docs.rs` fails when the committed files under man/ and completions/
//! differ from what this renders; `COREKIT_UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

/// Every program, with the hand-written sections its man page adds after the generated ones
/// (roff, each starting with `.SH`).
pub fn programs() -> Vec<(clap::Command, String)> {
    vec![
        (super::kv_serve::Args::command(), KV_SERVE_EXTRA.to_string()),
        (super::kv::Args::command(), KV_EXTRA.to_string()),
        (super::unit_run::Args::command(), UNIT_RUN_EXTRA.to_string()),
        (super::unit_sched::Args::command(), UNIT_SCHED_EXTRA.to_string()),
        (super::cfg_init::Args::command(), cfg_init_extra()),
        (super::disco::Args::command(), DISCO_EXTRA.to_string()),
    ]
}

/// Pages of sections 5 and 7 (file formats, conventions): (file name, roff).
pub fn pages() -> Vec<(&'static str, &'static str)> {
    vec![("corekit-keys.7", KEYS_7)]
}

/// cfg-init's page: the keys it knows, generated from the schema, and where each lands.
fn cfg_init_extra() -> String {
    use crate::cloudconfig::schema::{self, Kind};
    let esc = |s: &str| s.replace('\\', "\\\\").replace('-', "\\-");
    let mut s = String::from(CFG_INIT_KEYS_INTRO);
    for sec in schema::sections() {
        let title = if sec.path.is_empty() { "top level".to_string() } else { sec.path.to_string() };
        s.push_str(&format!(".SS \"{}\"\n", esc(&title)));
        s.push_str(CFG_INIT_LANDS.iter().find(|(p, _)| *p == sec.path).map(|(_, t)| *t).unwrap_or(""));
        for f in sec.fields {
            s.push_str(".TP\n");
            let what = match f.kind {
                Kind::Struct(inner) | Kind::List(inner) => format!("{} (see {})", f.kind.human(), inner.path),
                k => k.human().to_string(),
            };
            s.push_str(&format!("\\fB{}\\fR \\fI{}\\fR", esc(f.name), esc(&what)));
            if let Some(env) = f.env {
                s.push_str(&format!(" \\(-> \\fB{}\\fR", esc(env)));
            }
            s.push('\n');
            let mut notes = Vec::new();
            if let Some(schema::Check::OneOf(w)) = f.check {
                notes.push(format!("One of: {}.", w.join(", ")));
            }
            if let Some(d) = f.deprecated {
                notes.push(format!("Deprecated: {d}."));
            }
            if notes.is_empty() {
                notes.push(String::new());
            }
            s.push_str(&esc(&notes.join(" ")));
            s.push('\n');
        }
    }
    s.push_str(CFG_INIT_EXTRA);
    s
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
            if shell == Shell::Bash && name.contains('-') {
                // clap_complete spells a hyphenated program's subcommand states two ways
                // (`unit__run__subcmd__journal` where it dispatches, `unit__subcmd__run__subcmd__journal`
                // where it completes), so no subcommand's options would complete. Use one spelling.
                let text = String::from_utf8(buf).expect("completions are UTF-8");
                buf = text.replace(&name.replace('-', "__subcmd__"), &name.replace('-', "__")).into_bytes();
            }
            out.push((PathBuf::from(path), buf));
        }
    }
    for (name, page) in pages() {
        out.push((PathBuf::from(format!("man/{name}")), page.as_bytes().to_vec()));
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
\fB\-\-initial\-cluster\-token\fR, or from a discovery token (below), and talk Raft over HTTP on
their peer URLs. To grow a running
cluster, add the member first (\fBkv member add NAME PEER_URL\fR, or \fBPOST /v2/members\fR), then
start it with \fB\-\-initial\-cluster\-state existing\fR and \fB\-\-initial\-cluster\fR listing the
cluster's members; it asks them for the membership and catches up from a snapshot. A member that
is removed stops. A data dir made with another \fB\-\-initial\-cluster\-token\fR is refused.
.SH DISCOVERY
With \fB\-\-discovery\fR \fIURL\fR (instead of \fB\-\-initial\-cluster\fR) a new member finds
its cluster as etcd 2 does: it reads the token's size, registers itself as
\fIURL\fR/\fIMEMBER_ID\fR = \fINAME\fR=\fIPEER_URL\fR (created with prevExist=false; the ID is
etcd's, SHA\-1 of its peer URLs and the discovery URL, which is also the cluster token), waits
with a watch until \fIsize\fR members registered, and bootstraps with the first \fIsize\fR by
creation index. \fIURL\fR is a token URL of \fBdisco serve\fR or discovery.etcd.io
(\fBdisco new\fR makes one), or a directory on any etcd v2 store,
\fBhttp://\fR\fISTORE\fR\fB/v2/keys/discovery/\fR\fIID\fR (\fBdisco new \-\-kv\fR makes one). Failures to
reach it are retried after 2, 4, 8 \(en 256 s; \fB\-\-discovery\-proxy\fR sends the requests
through an HTTP (CONNECT) proxy. A member whose data dir already holds a member ignores the
token, as etcd does (keep \fB\-\-discovery\fR on restarts: its URL is the cluster token).
.PP
When the token already has \fIsize\fR members, \fB\-\-discovery\-fallback exit\fR exits with
etcd's message (\fBfailed to join discovery cluster (discovery: cluster is full)\fR), and
\fBproxy\fR (the default) makes this process a proxy to the cluster (below). A member that
registered before but has lost its data dir gets etcd's \fBhas previously registered with
discovery service token\fR error: use a new token.
.SH "PROXY MODE"
With \fB\-\-proxy on\fR (or \fBreadonly\fR), or after a full discovery token, kv\-serve is
etcd 2's proxy: no member of its own, it passes every client request to the cluster's members
and streams their answers back (watches included). It learns the members' client URLs from
their peer URLs (\fB\-\-initial\-cluster\fR, or the discovery token) and refreshes them every
\fB\-\-proxy\-refresh\-interval\fR; it keeps the peer URLs in \fIDATA_DIR\fR/proxy/cluster, and a
data dir holding that file starts as a proxy again. A member it cannot reach is left alone for
\fB\-\-proxy\-failure\-wait\fR and the next one is tried. \fBreadonly\fR answers anything but GET
with 501. \fB/v2/config/local/proxy\fR lists the endpoints in use.
.SH DURABILITY
Every write goes through Raft. Log entries and the hard state are appended to a write\-ahead
log in \fIDATA_DIR\fR/wal/ and fdatasynced before any client is answered, so an acknowledged
write survives a crash or \fBkill \-9\fR. Every \fB\-\-snapshot\-count\fR applied entries the
store is snapshotted into \fIDATA_DIR\fR/snap.redb and the log compacted behind it;
a restart loads the snapshot and replays the log. Keys with a TTL expire when the leader's
periodic "sync" entry (every 500 ms while such keys exist) is applied, so every member expires
the same keys at the same log position.
.PP
A full file system does not stop the member: the log write is tried again every half second
until there is room, meanwhile writes are refused at once (error 300, cause
"etcdserver: no space left on device") and reads are served. A failed fdatasync stops it.
.SH "LEADER CHANGES"
On SIGTERM a leader first hands leadership to the follower with the most of its log and waits
(at most an election timeout) until that member leads. A follower whose leader's connection
closes (its process died) campaigns at once rather than after the election timeout; pre\-vote
and check\-quorum keep a live leader in place. Writes made while a member knows no leader wait
for one (up to three election timeouts) during such a hand\-over or election, and once the
member has voted in a new term; otherwise (a leader gone silent, a member cut off) they are
answered "etcdserver: no leader" at once, so that clients try another member.
.SH SECURITY
An \fBhttps://\fR client or peer URL is served with TLS (rustls): \fB\-\-cert\-file\fR and
\fB\-\-key\-file\fR (or \fB\-\-auto\-tls\fR, self\-signed, made once in DATA_DIR/fixtures/client),
the \fB\-\-peer\-*\fR set for peers. With \fB\-\-client\-cert\-auth\fR (or
\fB\-\-peer\-client\-cert\-auth\fR) a client (a peer) must present a certificate signed by
\fB\-\-trusted\-ca\-file\fR (\fB\-\-peer\-trusted\-ca\-file\fR); peers are dialled with the
peer certificate and checked against the peer CA (not at all with \fB\-\-peer\-auto\-tls\fR).
Certificate and key files are checked before anything is bound; a certificate replaced on disk
is served from the next handshake on. Refused handshakes are logged.
.PP
etcd 2's users and roles (\fB/v2/auth\fR; \fBkv user\fR, \fBkv role\fR, \fBkv auth\fR): once
enabled, a request with HTTP basic credentials acts as that user; one without, as the user its
verified client certificate's common name names, if there is one, else as the \fBguest\fR role;
a wrong password is refused (401). Roles grant reading and writing key patterns
(\fB/foo/*\fR: everything under /foo/; anything else: one key); the \fBroot\fR role may do
anything, and only it may change users, roles, auth and the membership. Passwords are stored as
bcrypt hashes and never logged.
.SH LIMITS
A request's line and headers may take at most 64 KiB and must arrive within 30 s; a form body
may take at most 10 MiB and must arrive within 60 s. A larger or slower request gets error 210
(Invalid POST form) and its connection is closed; nothing is changed. Keys may have at most 1024
path segments (error 209). Values up to the body limit are accepted. What is cut off is logged,
at most one line per kind a second, with how many more there were.
.SH "EXIT STATUS"
0 after a clean stop (SIGTERM or SIGINT); 2 for bad flags or environment variables (nothing
is created or bound); 3 when the member cannot start (discovery failed included) or its disk fails.
.SH EXAMPLES
One member with etcd's defaults, data in ./default.kv:
.PP
.nf
    kv\-serve
    curl \-L http://127.0.0.1:2379/v2/keys/message \-XPUT \-d value="CROC Cloud"
.fi
.PP
A member of a three\-member cluster found through a discovery token:
.PP
.nf
    kv\-serve \-\-name n1 \-\-discovery http://disco.example:8087/3e86b59982e49066c5d813af1c2e2579 \\
      \-\-initial\-advertise\-peer\-urls http://10.0.0.1:2380 \-\-listen\-peer\-urls http://10.0.0.1:2380 \\
      \-\-advertise\-client\-urls http://10.0.0.1:2379 \-\-listen\-client\-urls http://10.0.0.1:2379
.fi
.SH "SEE ALSO"
disco(1), etcd(1), etcdctl(1)
"#;

const KV_EXTRA: &str = r#".SH "EXIT STATUS"
etcdctl's own statuses: 0 success; 1 bad arguments, a directory where a key was expected
(\fBget\fR), or a failed \fBmember\fR command; 2 no endpoint answered while learning the
cluster's members; 4 the server answered with an error (key not found, compare failed, …)
or no endpoint answered the command; 5 \fBcluster\-health\fR found an unhealthy member.
\fBkv load\fR exits 1 (bad arguments) when its input is bad; nothing is written then.
A closed standard output (\fBkv ls \-r / | head\fR) ends the command quietly with status 0;
any other failure to write the output ends it with status 3.
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

const UNIT_RUN_EXTRA: &str = r#".SH "UNIT FILES"
Units are systemd unit files, parsed as systemd does: \fB[Section]\fR headers, \fB#\fR and \fB;\fR
comments, lines continued with a trailing backslash, repeated keys, an empty assignment resetting a
list, quoting and C\-style escapes on Exec lines, the \fB\-\fR (ignore failure), \fB@\fR (own argv[0]),
\fB+\fR and \fB!\fR (keep privileges) and \fB:\fR (no variable expansion) prefixes, \fB$VAR\fR and
\fB${VAR}\fR, specifiers \fB%n %N %p %i %I %H %m %b %%\fR, and templates (\fBname@.service\fR
started as \fBname@x.service\fR).
.PP
\fB[Unit]\fR: Description, After, Before, Requires, Wants, BindsTo, Conflicts (between units loaded
in this daemon; \fBdocker.service\fR counts as present when the Docker engine answers),
StartLimitIntervalSec, StartLimitBurst.
\fB[Service]\fR: Type (simple, exec, oneshot, forking), ExecStartPre, ExecStart, ExecStartPost,
ExecReload, ExecStop, ExecStopPost, Environment, EnvironmentFile (\fB\-\fR: optional),
WorkingDirectory, User, Group, Restart (no, on\-success, on\-failure, on\-abnormal, on\-abort,
always), RestartSec, TimeoutStartSec, TimeoutStopSec, TimeoutSec (0 or infinity: none), KillMode,
KillSignal, SendSIGKILL, RemainAfterExit, SuccessExitStatus, PIDFile.
\fB[X\-Fleet]\fR is kept for the scheduler; \fB[Install]\fR is accepted. Unknown keys are warned
about, as systemd does. Errors name the file, line and column; a unit file with an error, or a
bad unit name, changes nothing.
.SH SUPERVISION
Each Exec process starts in a session of its own, in the unit's cgroup where one can be made
(cgroup v2, plus the v1 memory hierarchy on hybrid machines), with a clean environment (PATH,
INVOCATION_ID, MAINPID for ExecStartPost/ExecReload/ExecStop, DOCKER_HOST if the daemon has it, then
the unit's Environment and EnvironmentFile) and stdin on /dev/null. The daemon is a child
subreaper and reaps everything. A stop runs ExecStop, sends KillSignal per KillMode, SIGKILL after
TimeoutStopSec, runs ExecStopPost, then stops and removes the unit's containers that are still
there. Where no cgroup can be made, a unit's processes are found by session and by the
INVOCATION_ID in their environment. States and sub\-states are systemd's. Unlike systemd, a main
process that exits with an error after a stop was asked for (\fBdocker run\fR exits 137 once
\fBdocker stop\fR killed its container) does not make the unit failed: a requested stop ends
inactive, unless it timed out. A unit file loaded while its unit runs takes effect at the next start.
Restarting a unit restarts the units that require it; a start still waiting for a dependency that
is stopped is canceled.
.PP
On SIGTERM (or SIGINT, SIGHUP) the daemon stops every unit and exits 0; the units that were
running are started again by the next daemon on the same run dir. A daemon that is killed leaves
its units' processes running; the next one kills what is left in their cgroups and starts the
units afresh. It never adopts processes.
.SH JOURNAL
Every line a unit's processes write to stdout or stderr, and the daemon's own lines about the unit,
go to \fIRUN_DIR\fR/journal/\fIUNIT\fR.log as JSON lines
(\fB{"ts":MICROSECONDS,"pid":PID,"id":NAME,"stream":"stdout|stderr|unit\-run","msg":TEXT}\fR).
Past \fB\-\-journal\-max\-bytes\fR it is renamed to \fIUNIT\fR.log.1 and a new file begun.
\fBunit\-run journal\fR reads these files directly.
.SH DOCKER
The Docker Engine API is reached as the docker CLI reaches it (\fBDOCKER_HOST\fR, else
/var/run/docker.sock). A unit's containers are those its Exec lines name with \fB\-\-name\fR on
\fBdocker run\fR/\fBcreate\fR (or podman's) \(em also behind \fBenv\fR (its options and
\fINAME\fR=\fIvalue\fR words) and behind \fBsh \-c\fR (or bash, dash, ash, ksh, zsh), in any
command of the script, after \fBexec\fR and assignments; a name with \fB$\fR is only known to the
shell and is not recognised \(em and those labelled \fBcorekit.unit=\fR\fIUNIT\fR (for example
\fB\-\-label corekit.unit=%n\fR). Status shows them; when the unit is down they are stopped and
removed. At start the daemon reports containers of units it is not running.
.SH FILES
\fIRUN_DIR\fR/unit\-run.sock (0600), \fIRUN_DIR\fR/units/, \fIRUN_DIR\fR/journal/,
\fIRUN_DIR\fR/unit\-run/desired.json (units meant to be running), \fIRUN_DIR\fR/unit\-run/lock.
.SH "EXIT STATUS"
0 success; 1 no such unit; 2 bad usage, unit file or name; 3 the daemon cannot be reached, or an
internal error (for \fBdaemon\fR: it could not start); 4 the unit failed to start (or stop).
\fBstatus\fR exits 0 whatever the unit's state.
.SH EXAMPLES
.nf
    unit\-run daemon &
    unit\-run start ./croc.service
    unit\-run status croc.service
    unit\-run journal \-f croc.service
    unit\-run stop croc.service
.fi
.SH "SEE ALSO"
systemd.service(5), systemd.exec(5), systemctl(1), fleetctl(1), kv(1)
"#;

const UNIT_SCHED_EXTRA: &str = r#".SH "HOW UNITS ARE PLACED"
\fBsubmit\fR stores a unit file in the store (desired state \fBinactive\fR); \fBload\fR asks for it
to be placed (\fBloaded\fR), \fBstart\fR for it to run (\fBlaunched\fR); \fBstop\fR goes back to
\fBloaded\fR, \fBunload\fR to \fBinactive\fR, \fBdestroy\fR removes it. The engine that holds the
lease (\fBunit\-sched engine\fR, one per machine, one leading) places each unit that is not
\fBinactive\fR on the least\-loaded machine its \fB[X\-Fleet]\fR section allows, and moves the units
of a machine whose agent stopped renewing its record. The agent on each machine
(\fBunit\-run daemon \-\-endpoints\fR) runs what is placed on it and reports each unit's state.
A unit's current state (\fBSTATE\fR) is \fBinactive\fR until its machine reports it, then
\fBloaded\fR, and \fBlaunched\fR once started there.
.PP
\fB[X\-Fleet]\fR keys: \fBMachineID=\fR (only that machine), \fBMachineOf=\fR\fIunit\fR (the machine that
runs \fIunit\fR), \fBMachineMetadata="k=v" "k2=v2"\fR (different keys all required, values of one key
any of), \fBConflicts=\fR\fIglob\fR... (never beside a matching unit, either way), \fBGlobal=true\fR (every
matching machine; only with MachineMetadata and Conflicts), \fBReplaces=\fR\fIunit\fR (take its machine,
move it); the old \fBX\-Condition\fR* spellings and \fBX\-Conflicts\fR work with a warning. Values may
use \fB%n %N %p %i\fR. A template \fBname@.service\fR is started as \fBname@x.service\fR; the shell expands
\fBname@{1..3}.service\fR.
.SH "DIFFERENCES FROM FLEETCTL"
Status and journal come from the unit's agent over HTTP (its address is in its machine record):
no SSH and no ssh\-agent; \fIUNIT\fR\fB@\fR\fIMACHINE\fR (an ID prefix) picks a machine, and a global
unit's status has one section per machine. A blocking \fBload\fR or \fBstart\fR ends with the reason
when the unit cannot be placed, when no engine runs, or when the unit failed, instead of waiting
forever; it waits for every unit named, not only for those whose desired state it changed.
\fBstart \-\-no\-block\fR prints its line once. \fB\-o json\fR works on every command. A unit file is
checked as unit\-run will read it (errors name file, line and column) before anything is stored.
.SH "EXIT STATUS"
0 success; 1 failure (fleetctl's status for every error, including an unreachable store); 2 bad
usage.
.SH ENVIRONMENT
.TP
\fBKV_ENDPOINTS\fR, \fBFLEETCTL_ENDPOINT\fR, \fBFLEET_ETCD_SERVERS\fR, \fBETCDCTL_ENDPOINTS\fR
The store's client URLs when \fB\-\-endpoints\fR is not given, in this order.
.SH EXAMPLES
.nf
    unit\-sched load croc.service
    unit\-sched start croc.service
    unit\-sched status croc.service
    unit\-sched journal \-f croc.service
    unit\-sched stop croc.service
    unit\-sched destroy croc.service
    unit\-sched start web@{1..3}.service
.fi
.SH "SEE ALSO"
corekit\-keys(7), unit\-run(1), fleetctl(1)
"#;

const KEYS_7: &str = r#".TH corekit-keys 7 "" corekit corekit
.SH NAME
corekit\-keys \- where corekit's programs keep their state in the store
.SH DESCRIPTION
\fBunit\-sched\fR (the command line and the engine) and the agents of \fBunit\-run daemon \-\-endpoints\fR
share their state through the store's etcd v2 API, under one prefix (default \fB/_corekit/sched\fR,
\fB\-\-key\-prefix\fR). Each key has one writer, so any one of the three programs can be replaced by
another that honours this page. Values are JSON unless said otherwise.
.TP
\fIPREFIX\fR\fB/units/\fR\fIunit\fR
A submitted unit: \fB{"name","hash","desired","requirements","description"}\fR. \fBhash\fR is the SHA\-1 (hex)
of its file's text; \fBdesired\fR is \fBinactive\fR, \fBloaded\fR or \fBlaunched\fR; \fBrequirements\fR is its
\fB[X\-Fleet]\fR section read for this unit's name (\fB{"machine_id","machine_of":[],"metadata":{"k":["v"]},
"conflicts":[],"replaces":[],"global"}\fR, empty ones left out). Written by \fBunit\-sched\fR.
.TP
\fIPREFIX\fR\fB/texts/\fR\fIhash\fR
The unit file's text itself (not JSON), written once by \fBunit\-sched\fR, never changed.
.TP
\fIPREFIX\fR\fB/machines/\fR\fIid\fR
A live agent, with a TTL of its \fBagent_ttl\fR (default 30 s), renewed every third of it:
\fB{"id","hostname","public_ip","metadata":{},"agent_url","version"}\fR. \fBagent_url\fR serves
\fBGET /v1/units/\fR\fIunit\fR\fB/status\fR, \fB/v1/units/\fR\fIunit\fR\fB/journal?lines=N[&follow=true]\fR and
\fB/v1/machine\fR. Written by the agent; it expires when the agent stops renewing it.
.TP
\fIPREFIX\fR\fB/schedule/\fR\fIid\fR\fB/\fR\fIunit\fR
The engine placed \fIunit\fR on machine \fIid\fR: \fB{"hash","desired"}\fR (\fBloaded\fR or \fBlaunched\fR).
Each agent watches only its own \fBschedule/\fR\fIid\fR directory. Written by the engine.
.TP
\fIPREFIX\fR\fB/global/\fR\fIunit\fR
A global unit for every agent to consider: \fB{"hash","desired","requirements"}\fR. An agent runs it
when its metadata matches and nothing it runs conflicts. Written by the engine; watched by
every agent.
.TP
\fIPREFIX\fR\fB/states/\fR\fIunit\fR\fB/\fR\fIid\fR
What machine \fIid\fR reports of \fIunit\fR, with a TTL of \fBagent_ttl\fR, renewed every half of it and
whenever it changes: \fB{"job","load","active","sub","hash","machine"}\fR \- \fBjob\fR is \fBloaded\fR or
\fBlaunched\fR (what the agent did), \fBload\fR/\fBactive\fR/\fBsub\fR systemd's states. Written by the agent.
.TP
\fIPREFIX\fR\fB/reasons/\fR\fIunit\fR
Why the engine cannot place \fIunit\fR now (text); deleted once it is placed. Written by the engine.
.TP
\fIPREFIX\fR\fB/lease/engine\fR
\fB{"machine_id","version"}\fR with a TTL of five reconcile intervals (10 s): the engine that leads.
Taken with \fBprevExist=false\fR, renewed with \fBprevIndex\fR; an engine finding a higher
\fBversion\fR stands by.
.SH "THE CURRENT STATE"
A unit's current state is \fBinactive\fR while no live machine (one whose \fBmachines/\fR key exists)
reports it with the submitted \fBhash\fR, else the most advanced \fBjob\fR reported.
.SH "NO UNIT TWICE"
The engine moves a unit only after its machine's record expired, or when the unit's own
requirements or desired state change. An agent times its renewals from when it sent them, so it
knows the latest moment its record can still exist; at that moment it stops every unit it runs
for the cluster (before the engine can have seen the expiry) and takes units again only after a
renewal got through and it has read its \fBschedule/\fR directory afresh. A store outage shorter than
\fBagent_ttl\fR changes nothing.
.SH "DISCOVERY AND SERVICES"
\fBdisco\fR(1) keeps discovery.etcd.io's layout, so kv\-serve, etcd and the original service share it:
.TP
\fB/_etcd/registry/\fR\fItoken\fR\fB/_config/size\fR
The cluster's size (text, decimal), created with \fBprevExist=false\fR by \fBdisco serve\fR's \fB/new\fR.
With \fB\-\-token\-ttl\fR, the \fItoken\fR directory carries that TTL.
.TP
\fB/_etcd/registry/\fR\fItoken\fR\fB/\fR\fImember\-id\fR
A member that registered (text): \fIname\fR\fB=\fR\fIpeer\-URL\fR pairs joined with \fB,\fR. \fImember\-id\fR is
etcd's (hex of the first 8 bytes of SHA\-1 of the sorted peer URLs and the discovery URL). Created with
\fBprevExist=false\fR by the member (kv\-serve \fB\-\-discovery\fR, etcd).
.TP
\fB/_disco/owners/\fR\fItoken\fR\fB/\fR\fImember\-id\fR
The client address that registered the entry through \fBdisco serve\fR (text), with the token's TTL;
only that address may change or delete the entry. Outside the token's directory, so members'
watches never see it. Written by \fBdisco serve\fR.
.TP
\fIdir\fR\fB/\fR\fItoken\fR\fB/_config/size\fR, \fIdir\fR\fB/\fR\fItoken\fR\fB/\fR\fImember\-id\fR
The same for private discovery straight on a store (\fBdisco new \-\-kv\fR, \fIdir\fR default \fB/discovery\fR;
discovery URL \fBhttp://\fR\fIstore\fR\fB/v2/keys\fR\fIdir\fR\fB/\fR\fItoken\fR).
.TP
\fB/services/\fR\fIservice\fR\fB/\fR\fIinstance\fR
A backend (text): the address load balancers send requests to, \fIaddr\fR[\fB:\fR\fIport\fR], with a TTL
(30 s by default) refreshed (\fBrefresh=true\fR) every third of it while its health check passes, and
deleted when the check fails or its announcer stops. \fIinstance\fR defaults to the address. Written
by \fBdisco announce\fR; read and watched by \fBdisco render\fR and \fBdisco list\fR. The prefix is
\fB\-\-prefix\fR (default \fB/services\fR).
.SH "SEE ALSO"
unit\-sched(1), unit\-run(1), kv(1), disco(1)
"#;

const CFG_INIT_KEYS_INTRO: &str = r#".SH "CLOUD-CONFIG KEYS"
Every key of coreos\-cloudinit v1.14, with \fB\-\fR and \fB_\fR read alike. Unknown keys are
warned about (with the nearest known key), a value of the wrong type or a bad value is an
error. For \fBcoreos.*\fR sections each key becomes the environment variable shown; a
\fBtrue\fR/\fBfalse\fR or \fB0\fR given explicitly is kept (coreos\-cloudinit dropped them) and
values are quoted and escaped.
"#;

/// Where each section's keys land.
const CFG_INIT_LANDS: &[(&str, &str)] = &[
    (
        "",
        "\\fBhostname\\fR: \\fIROOT\\fR/etc/hostname, and the kernel's host name when \\fB\\-\\-root\\fR is /. \\fBssh_authorized_keys\\fR: the \\fB\\-\\-ssh\\-user\\fR's ~/.ssh/authorized_keys, in a block named \\fB\\-\\-ssh\\-key\\-name\\fR (other keys are kept). \\fBmanage_etc_hosts: localhost\\fR: a \\fB127.0.0.1 HOSTNAME\\fR line in /etc/hosts (other lines are kept).\n",
    ),
    ("coreos", "The \\fBcoreos\\fR section.\n"),
    (
        "write_files[]",
        "Written atomically under \\fIROOT\\fR, missing directories made 0755; \\fBpermissions\\fR default 0644; \\fBowner\\fR is looked up in \\fIROOT\\fR/etc/passwd and /etc/group.\n",
    ),
    (
        "users[]",
        "A new user is made with \\fBuseradd\\fR (\\fB\\-\\-root\\fR passed through); an existing one gets its \\fBpasswd\\fR hash with \\fBchpasswd \\-e\\fR; keys go to its ~/.ssh/authorized_keys.\n",
    ),
    (
        "coreos.units[]",
        "Loaded into the node agent (\\fBunit\\-run daemon\\fR on \\fIRUN_DIR\\fR/unit\\-run.sock, started if none answers and none is starting: one that holds the run dir's lock is waited for) with its drop\\-ins appended; a unit that is not \\fBruntime\\fR is also kept in \\fIROOT\\fR/etc/corekit/units/. \\fBetcd2.service\\fR means corekit's \\fBkv\\-serve.service\\fR and \\fBfleet.service\\fR its \\fBunit\\-sched.service\\fR. Commands run in After=/Requires= order. \\fBmask\\fR stops and unloads the unit; \\fBenable\\fR without a command starts it. Network units (.network, .netdev, .link) are written to \\fIROOT\\fR/etc/systemd/network/ (or /run/… when \\fBruntime\\fR).\n",
    ),
    ("coreos.units[].drop_ins[]", "Appended to the unit's text, in order.\n"),
    ("coreos.etcd2", "\\fIRUN_DIR\\fR/kv\\-serve.env (mode 0600), read by kv\\-serve.service.\n"),
    (
        "coreos.fleet",
        "\\fIRUN_DIR\\fR/unit\\-run.env (mode 0600), read by unit\\-run and unit\\-sched.service.\n",
    ),
    ("coreos.flannel", "\\fIROOT\\fR/run/flannel/options.env.\n"),
    ("coreos.locksmith", "Validated only: corekit has no locksmithd.\n"),
    ("coreos.update", "\\fIROOT\\fR/etc/coreos/update.conf (lines replaced or appended).\n"),
    ("coreos.oem", "\\fIROOT\\fR/etc/oem\\-release.\n"),
    ("coreos.etcd", "Validated only (etcd 0.4): use \\fBetcd2\\fR.\n"),
];

const CFG_INIT_EXTRA: &str = r#".SH "USER-DATA"
Classified by its first line, as coreos\-cloudinit does: \fB#cloud\-config\fR (trailing blanks
allowed), \fB#!\fR (a script: it is written to \fIROOT\fR/var/lib/cfg\-init/scripts/user\-data and
run once as the unit \fBcfg\-init\-script.service\fR), Ignition JSON (nothing is done), empty
(nothing is done); anything else is an error. Gzipped user\-data is unpacked first. A user\-data
URL and the metadata service may be \fBhttps://\fR: the server's certificate must chain to the
Mozilla roots, or to \fB\-\-ca\-file\fR (\fBKV_CA_FILE\fR, \fBETCDCTL_CA_FILE\fR);
\fB\-\-cert\-file\fR and \fB\-\-key\-file\fR give a client certificate, as etcdctl's do.
.SH ADDRESSES
\fB$private_ipv4\fR, \fB$public_ipv4\fR, \fB$private_ipv6\fR and \fB$public_ipv6\fR are replaced
everywhere in the user\-data; \fB\e$private_ipv4\fR is a literal \fB$private_ipv4\fR. The first
source with a value wins: the flags, the metadata service (\fB\-\-metadata\-url\fR:
/latest/meta\-data/local\-ipv4, public\-ipv4, ipv6), the config drive (\fB\-\-config\-drive\fR:
ec2/latest/meta\-data.json), \fBCOREOS_PRIVATE_IPV4\fR (and the others) in the environment, then
in \fIROOT\fR/etc/environment. A token with no value is a warning for \fBvalidate\fR and an
error for \fBapply\fR: it is never made empty. The addresses found are merged into
\fIROOT\fR/etc/environment.
.SH ORDER
\fBapply\fR validates first (an error changes nothing), then: hostname; users; SSH keys;
write_files; /etc/oem\-release, update.conf, /etc/hosts, options.env; /etc/environment;
kv\-serve.env and unit\-run.env; units (load, mask, then commands in dependency order); the
script. Each step compares what is there with what it would make and does nothing when they
agree, so a second run changes nothing and says so. \fBstart\fR restarts a running unit whose
unit file, drop\-ins or environment file changed in the same run.
.SH OUTPUT
\fBvalidate\fR prints \fIFILE\fR:\fILINE\fR:\fICOLUMN\fR: \fBerror\fR|\fBwarning\fR|\fBinfo\fR:
\fImessage\fR, each followed by a \fBhint\fR line when there is a fix to suggest, ordered by
place. \fB\-o json\fR prints one document with \fBfindings\fR (\fBline\fR, \fBcolumn\fR,
\fBkind\fR, \fBrule\fR, \fBmessage\fR, \fBhint\fR). \fBapply\fR prints one line per change
(\fBchanged\fR, \fBok\fR, or \fBwould\fR with \fB\-\-dry\-run\fR, followed by the file's contents).
.SH "EXIT STATUS"
0 success (warnings alone are success); 1 the user\-data has an error (\fBapply\fR then changes
nothing); 2 bad usage or unreadable user\-data; 3 a metadata service or user\-data URL did not
answer, or applying failed part way (what was done is listed).
.SH FILES
\fIRUN_DIR\fR/kv\-serve.env, \fIRUN_DIR\fR/unit\-run.env, \fIRUN_DIR\fR/unit\-run.log (a daemon
cfg\-init started), \fIROOT\fR/etc/environment, \fIROOT\fR/etc/hosts, \fIROOT\fR/etc/hostname.
.SH EXAMPLES
.nf
    cfg\-init validate cloud\-config.yml
    cfg\-init reindent cloud\-config.as\-printed.yml > cloud\-config.yml
    cfg\-init apply \-\-dry\-run \-\-private\-ipv4 10.0.0.5 cloud\-config.yml
    cfg\-init apply \-\-metadata\-url http://169.254.169.254 http://169.254.169.254/latest/user\-data
    cfg\-init apply \-\-config\-drive /media/configdrive
.fi
.SH "SEE ALSO"
kv\-serve(1), unit\-run(1), coreos\-cloudinit(1)
"#;

const DISCO_EXTRA: &str = r#".SH "DISCOVERY SERVICE"
\fBdisco serve\fR answers what discovery.etcd.io answers, byte for byte (status, headers in
Go's order, body), so etcd members and clients cannot tell them apart:
.TP
\fB/new?size=\fR\fIN\fR (any method; a form body's \fBsize\fR first)
A new token: 16 random bytes in hex. Answer 200, \fBtext/plain\fR, \fIHOST\fR/\fITOKEN\fR with no
newline. \fIN\fR defaults to 3; a non\-number is 400 with Go's \fBstrconv.Atoi\fR message;
unlike the original, a size outside 1\(en\fB\-\-max\-size\fR is 400 too (etcd members crash on 0).
A store failure is 400 \fBUnable to generate token\fR.
.TP
\fB/\fR\fITOKEN\fR, \fB/\fR\fITOKEN\fR\fB/\fR (GET, PUT); \fB/\fR\fITOKEN\fR\fB/\fR\fIID\fR (GET, PUT, DELETE); \fB/\fR\fITOKEN\fR\fB/_config/size\fR (GET)
Passed to the store's \fB/v2/keys/_etcd/registry/\fR\fITOKEN\fR... with the same method, query
(\fBwait=true\fR long polls included) and body; the store's status, headers and body come back.
Another method on these paths is 405; any other path 404; an unclean path a 301 to its clean form.
.TP
\fB/health\fR, \fB/robots.txt\fR, \fB/\fR, \fB/metrics\fR
\fBOK\fR after making and deleting a token (400 when that fails); no robots; a 301 to the
cluster\-discovery documentation; request counters in Prometheus' text format.
.PP
What it adds: \fB\-\-token\-ttl\fR makes tokens (and their entries) expire; the client address
that registered an entry is recorded, and only it may overwrite or delete the entry (403 for
anyone else; the original let anyone delete members); the token's directory and \fB_config\fR
are not writable through the service, and entries can only be registered under tokens that
exist; each client address may make \fB\-\-rate\-limit\fR requests a second (bursts of
\fB\-\-rate\-burst\fR) and have \fB\-\-max\-open\fR open at once, else 429; the store may be several
endpoints (failover), and a store that does not answer gives 503 instead of a dropped connection.
.SH "KEY LAYOUT"
.nf
/_etcd/registry/\fITOKEN\fR/_config/size     = "3"
/_etcd/registry/\fITOKEN\fR/\fIMEMBER_ID\fR       = "\fINAME\fR=\fIPEER_URL\fR[,...]"
/_disco/owners/\fITOKEN\fR/\fIMEMBER_ID\fR        = address that registered it (disco serve)
/discovery/\fITOKEN\fR/_config/size          = "3"   (disco new \-\-kv: private discovery)
/services/\fISERVICE\fR/\fIINSTANCE\fR           = "\fIADDR\fR[:\fIPORT\fR]" with a TTL (disco announce)
.fi
.SH "ANNOUNCING"
\fBdisco announce\fR \fISERVICE ADDR\fR[:\fIPORT\fR] sets /services/\fISERVICE\fR/\fIINSTANCE\fR (the
instance defaults to the address) with \fB\-\-ttl\fR, runs the health check every
\fB\-\-interval\fR (a third of the TTL) and, while it passes, refreshes the TTL
(\fBrefresh=true\fR: watchers are not woken). A failing check deletes the key at once; a passing
one sets it again. SIGTERM or SIGINT deletes it and exits 0; a process that dies leaves the
TTL to remove it.
.SH TEMPLATES
\fBdisco render\fR renders a Jinja2 template (minijinja) with blocks trimmed (\fBtrim_blocks\fR,
\fBlstrip_blocks\fR) and the final newline kept. It sees everything under \fB\-\-prefix\fR, read
at one store index:
.TP
\fBservices\fR, \fBservice(\fR\fIname\fR\fB)\fR
service name \(-> instances \fB{name, key, value, addr, ttl}\fR sorted by name; one service's list.
.TP
\fBkeys\fR, \fBget(\fR\fIkey\fR[\fB, \fR\fIdefault\fR]\fB)\fR, \fBexists(\fR\fIkey\fR\fB)\fR
every key under the prefix and its value; one value (an error, and nothing rendered, if it is
missing and no default is given). Relative keys are under the prefix.
.TP
\fBgets(\fR\fIpattern\fR\fB)\fR, \fBgetvs(\fR\fIpattern\fR\fB)\fR, \fBls(\fR\fIdir\fR\fB)\fR
\fB{key, value}\fR (or values) of the keys matching \fIpattern\fR (\fB*\fR and \fB?\fR within one path
segment, as confd's \fBgets\fR); the names directly under \fIdir\fR.
.TP
\fBenv(\fR\fIname\fR[\fB, \fR\fIdefault\fR]\fB)\fR, \fBprefix\fR, \fBindex\fR, \fB|base\fR, \fB|dirname\fR
an environment variable; the prefix; the store index read at (it moves with every write,
TTL refreshes included); the last part of a key and the rest.
.PP
A cycle renders, compares with the file (equal: nothing is written and nothing runs), stages
the new content beside the file, runs \fB\-\-check\-cmd\fR on it (\fB{{src}}\fR and
\fB$DISCO_SRC\fR name it; a failure keeps the old file), renames it into place, and runs
\fB\-\-exec\fR (a failure puts the old file back). Failed cycles are retried after 1, 2, 4 \(en 60 s.
With \fB\-\-watch\fR a change is rendered at once; a change within \fB\-\-debounce\fR of the one
before it waits for that much quiet (1 s at most), so a burst costs one or two reloads. The
watch resumes from the index after the last change it saw (after a failover to another endpoint
or a store restart too); a 401 \fBevent index cleared\fR, a store whose index went back or a
different cluster makes it read everything again. No update is lost.
.SH ENVIRONMENT
.TP
\fBKV_ENDPOINTS\fR
The store's client URLs when \fB\-\-kv\fR is not given (every command).
.TP
\fBDISC_ETCD\fR, \fBDISC_HOST\fR, \fBDISC_ADDR\fR
\fBdisco serve\fR's \fB\-\-kv\fR, \fB\-\-host\fR and \fB\-\-addr\fR, as discovery.etcd.io reads them.
.TP
\fBDISCO_SERVER\fR
\fBdisco new\fR's \fB\-\-server\fR.
.TP
\fBDISCO_SRC\fR, \fBDISCO_OUT\fR
Set for \fB\-\-check\-cmd\fR (the staged file, the file) and \fB\-\-exec\fR (the file).
.SH "EXIT STATUS"
0 success (\fBrender\fR: rendered or already current; \fBserve\fR, \fBannounce\fR,
\fBrender \-\-watch\fR: stopped by SIGTERM or SIGINT); 1 a negative answer: \fBlist\fR found no
instance, \fBrender\fR's check or exec failed (the old file is in place); 2 bad usage, flags or
template; 3 the store or discovery service cannot be reached, or an internal error.
.SH EXAMPLES
A discovery service on a local store, a token, and three members that find each other:
.PP
.nf
    disco serve \-\-kv http://127.0.0.1:2379 \-\-host http://10.0.0.9:8087 &
    TOKEN=$(disco new \-\-server http://10.0.0.9:8087 \-\-size 3)
    kv\-serve \-\-name n1 \-\-discovery $TOKEN ...     # on each of the three machines
.fi
.PP
Backends announce themselves; nginx follows them:
.PP
.nf
    disco announce web 10.0.0.5:8080 \-\-ttl 30 \-\-health\-url http://10.0.0.5:8080/health
    disco list web
    disco render \-\-watch \-\-template nginx\-lb.conf.tmpl \-\-out /run/nginx\-lb/nginx.conf \\
      \-\-check\-cmd 'nginx \-t \-q \-c {{src}}' \-\-exec 'nginx \-s reload \-c /run/nginx\-lb/nginx.conf'
.fi
.PP
examples/web\-announce@.service, web\-lb\-render.service and nginx\-lb.service run the same as
units (unit\-run(1)).
.SH "SEE ALSO"
kv\-serve(1), kv(1), unit\-run(1), nginx(8), confd(1)
"#;
