//! Man pages and shell completions, generated from the same clap definitions the programs
//! parse with. `tests/docs.rs` fails when the committed files under man/ and completions/
//! differ from what this renders; `COREKIT_UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

/// Every program, with the hand-written sections its man page adds after the generated ones
/// (roff, each starting with `.SH`).
pub fn programs() -> Vec<(clap::Command, &'static str)> {
    vec![
        (super::kv_serve::Args::command(), KV_SERVE_EXTRA),
        (super::kv::Args::command(), KV_EXTRA),
        (super::unit_run::Args::command(), UNIT_RUN_EXTRA),
        (super::disco::Args::command(), DISCO_EXTRA),
    ]
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
.SH LIMITS
A request's line and headers may take at most 64 KiB and must arrive within 30 s; a form body
may take at most 10 MiB and must arrive within 60 s. A larger or slower request gets error 210
(Invalid POST form) and its connection is closed; nothing is changed. Keys may have at most 1024
path segments (error 209). Values up to the body limit are accepted.
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
\fBdocker run\fR/\fBcreate\fR, and those labelled \fBcorekit.unit=\fR\fIUNIT\fR (for example
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
