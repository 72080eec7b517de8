complete -c kv-serve -l name -d 'Human-readable name of this member' -r
complete -c kv-serve -l data-dir -d 'Directory for the Raft log, hard state and snapshots [default: ./NAME.kv]' -r -F
complete -c kv-serve -l wal-dir -d 'Separate directory for the write-ahead log (etcd); not supported: the log lives in --data-dir' -r -F
complete -c kv-serve -l snapshot-count -d 'Applied entries between two snapshots; the log is compacted behind each snapshot (etcd 3.4\'s default; the log stays on disk, so a larger count costs no memory)' -r
complete -c kv-serve -l heartbeat-interval -d 'Milliseconds between leader heartbeats' -r
complete -c kv-serve -l election-timeout -d 'Milliseconds a follower waits without hearing from a leader before it stands for election' -r
complete -c kv-serve -l listen-peer-urls -d 'URLs to listen on for peer (Raft) traffic, comma separated' -r
complete -c kv-serve -l listen-client-urls -d 'URLs to listen on for client traffic, comma separated' -r
complete -c kv-serve -l max-snapshots -d 'Accepted for etcd compatibility; kv-serve keeps one snapshot' -r
complete -c kv-serve -l max-wals -d 'Accepted for etcd compatibility; kv-serve has no WAL files to rotate' -r
complete -c kv-serve -l cors -d 'Origins whose browser pages may use the client API (CORS), comma separated, each `scheme://host:port`; `*` or empty: any. Preflight `OPTIONS` requests are answered 200' -r
complete -c kv-serve -l initial-advertise-peer-urls -d 'This member\'s peer URLs, as advertised to the rest of the cluster' -r
complete -c kv-serve -l initial-cluster -d 'Initial cluster configuration, NAME=PEER_URL pairs comma separated [default: NAME=each --initial-advertise-peer-urls]' -r
complete -c kv-serve -l initial-cluster-state -d '`new` to bootstrap a cluster, `existing` to join one' -r -f -a "new\t''
existing\t''"
complete -c kv-serve -l initial-cluster-token -d 'Token that makes the IDs of a new cluster unique' -r
complete -c kv-serve -l advertise-client-urls -d 'This member\'s client URLs, as advertised to clients and the rest of the cluster' -r
complete -c kv-serve -l discovery -d 'Discovery URL used to bootstrap the cluster instead of --initial-cluster: a `disco new` token URL (http://HOST/TOKEN), or a store directory (http://STORE/v2/keys/DIR/ID)' -r
complete -c kv-serve -l discovery-srv -d 'DNS SRV domain used to bootstrap the cluster (not supported)' -r
complete -c kv-serve -l discovery-fallback -d 'What to do when the discovery token\'s cluster is already full: `exit`, or run as a `proxy` to it' -r -f -a "exit\t''
proxy\t''"
complete -c kv-serve -l discovery-proxy -d 'HTTP proxy (http://HOST:PORT, CONNECT) to reach the discovery service through' -r
complete -c kv-serve -l discovery-ca-file -d 'Check an https:// discovery service\'s certificate against this CA bundle (default: the Mozilla roots, as for a public service)' -r
complete -c kv-serve -l discovery-cert-file -d 'Show this certificate to a discovery service that asks for one (`disco serve --server-trusted-ca-file`)' -r
complete -c kv-serve -l discovery-key-file -d 'The key of --discovery-cert-file' -r
complete -c kv-serve -l proxy -d '`on`: run as a proxy that passes client requests to the cluster\'s members instead of as a member; `readonly`: a proxy that passes GETs only; `off`: a member' -r -f -a "off\t''
readonly\t''
on\t''"
complete -c kv-serve -l proxy-failure-wait -d 'Milliseconds an endpoint that failed is left alone' -r
complete -c kv-serve -l proxy-refresh-interval -d 'Milliseconds between two refreshes of the members\' client URLs' -r
complete -c kv-serve -l proxy-dial-timeout -d 'Milliseconds to connect to a member' -r
complete -c kv-serve -l proxy-write-timeout -d 'Milliseconds for a member to take a request and answer its headers (watches excepted)' -r
complete -c kv-serve -l proxy-read-timeout -d 'Milliseconds a member\'s answer may pause, headers included (0: no limit)' -r
complete -c kv-serve -l cert-file -d 'The certificate served on https:// client URLs (PEM; reloaded when the file changes)' -r
complete -c kv-serve -l key-file -d 'The key of --cert-file (PEM)' -r
complete -c kv-serve -l trusted-ca-file -d 'The CA client certificates are checked against' -r
complete -c kv-serve -l ca-file -d 'etcd 2\'s spelling: --trusted-ca-file and --client-cert-auth in one' -r
complete -c kv-serve -l peer-cert-file -d 'The certificate served on https:// peer URLs, and presented to peers' -r
complete -c kv-serve -l peer-key-file -d 'The key of --peer-cert-file' -r
complete -c kv-serve -l peer-trusted-ca-file -d 'The CA peers\' certificates (as servers and as clients) are checked against' -r
complete -c kv-serve -l peer-ca-file -d 'etcd 2\'s spelling: --peer-trusted-ca-file and --peer-client-cert-auth in one' -r
complete -c kv-serve -l enable-v2 -d 'Accepted for etcd 3 compatibility: the v2 API is the only one kv-serve serves' -r
complete -c kv-serve -l log-package-levels -d 'Accepted for etcd compatibility (per-package log levels); ignored' -r
complete -c kv-serve -l strict-reconfig-check -d 'Reject reconfiguration requests that would cause quorum loss'
complete -c kv-serve -l client-cert-auth -d 'Refuse clients without a certificate signed by --trusted-ca-file'
complete -c kv-serve -l auto-tls -d 'Serve https:// client URLs with a self-signed certificate (made in DATA_DIR/fixtures/client)'
complete -c kv-serve -l peer-client-cert-auth -d 'Refuse peers without a certificate signed by --peer-trusted-ca-file'
complete -c kv-serve -l peer-auto-tls -d 'Serve https:// peer URLs with a self-signed certificate (DATA_DIR/fixtures/peer); peers\' certificates are then not checked'
complete -c kv-serve -l force-new-cluster -d 'Start a new one-member cluster from this member\'s data (not supported yet)'
complete -c kv-serve -l debug -d 'More logging on stderr'
complete -c kv-serve -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kv-serve -s V -l version -d 'Print version'
