# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kv_global_optspecs
    string join \n endpoints= endpoint= C/peers= no-sync o/output= json timeout= total-timeout= ca-file= cert-file= key-file= u/username= debug h/help V/version
end

function __fish_kv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kv_using_subcommand
    set -l cmd (__fish_kv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kv -n "__fish_kv_needs_command" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_needs_command" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_needs_command" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_needs_command" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_needs_command" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_needs_command" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_needs_command" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_needs_command" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_needs_command" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_needs_command" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_needs_command" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_needs_command" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_needs_command" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kv -n "__fish_kv_needs_command" -s V -l version -d 'Print version'
complete -c kv -n "__fish_kv_needs_command" -f -a "set" -d 'Set the value of a key (the value is read from stdin when not given)'
complete -c kv -n "__fish_kv_needs_command" -f -a "get" -d 'Retrieve the value of a key'
complete -c kv -n "__fish_kv_needs_command" -f -a "mk" -d 'Make a new key with a given value (fails if it exists; value from stdin when not given)'
complete -c kv -n "__fish_kv_needs_command" -f -a "mkdir" -d 'Make a new directory (fails if it exists)'
complete -c kv -n "__fish_kv_needs_command" -f -a "setdir" -d 'Create a new directory or update an existing directory\'s TTL'
complete -c kv -n "__fish_kv_needs_command" -f -a "update" -d 'Update an existing key with a given value (value from stdin when not given)'
complete -c kv -n "__fish_kv_needs_command" -f -a "updatedir" -d 'Update an existing directory (its TTL)'
complete -c kv -n "__fish_kv_needs_command" -f -a "rm" -d 'Remove a key or a directory'
complete -c kv -n "__fish_kv_needs_command" -f -a "rmdir" -d 'Remove the key if it is an empty directory or a key-value pair'
complete -c kv -n "__fish_kv_needs_command" -f -a "ls" -d 'List a directory (default /)'
complete -c kv -n "__fish_kv_needs_command" -f -a "watch" -d 'Watch a key for changes'
complete -c kv -n "__fish_kv_needs_command" -f -a "exec-watch" -d 'Watch a key for changes and run a command on each, with ETCD_WATCH_ACTION, ETCD_WATCH_KEY, ETCD_WATCH_VALUE and ETCD_WATCH_MODIFIED_INDEX in its environment'
complete -c kv -n "__fish_kv_needs_command" -f -a "cluster-health" -d 'Check the health of every member of the cluster'
complete -c kv -n "__fish_kv_needs_command" -f -a "member" -d 'List, add, remove or update members'
complete -c kv -n "__fish_kv_needs_command" -f -a "auth" -d 'Turn authentication on or off (etcd 2\'s users and roles)'
complete -c kv -n "__fish_kv_needs_command" -f -a "user" -d 'List, add, show, remove users; grant and revoke their roles; change passwords'
complete -c kv -n "__fish_kv_needs_command" -f -a "role" -d 'List, add, show, remove roles; grant and revoke their permissions on key paths'
complete -c kv -n "__fish_kv_needs_command" -f -a "dump" -d 'Write every node under PREFIX (default /) as JSON lines {key, value, ttl, dir}'
complete -c kv -n "__fish_kv_needs_command" -f -a "load" -d 'Read JSON lines written by `kv dump` from stdin and create them (all lines are checked before anything is written)'
complete -c kv -n "__fish_kv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand set" -l ttl -d 'Key time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l swap-with-value -d 'Only set if the current value is this' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l swap-with-index -d 'Only set if the current modified index is this' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand set" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand set" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand set" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand set" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand set" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand set" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand set" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand set" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand set" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand get" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand get" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand get" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand get" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand get" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand get" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand get" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand get" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand get" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand get" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand get" -l sort -d 'Return the result in sorted order'
complete -c kv -n "__fish_kv_using_subcommand get" -s q -l quorum -d 'Require quorum (a linearizable read)'
complete -c kv -n "__fish_kv_using_subcommand get" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand get" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand get" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand get" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand mk" -l ttl -d 'Key time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mk" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mk" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mk" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand mk" -l in-order -d 'Create a key named after its index inside directory KEY'
complete -c kv -n "__fish_kv_using_subcommand mk" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand mk" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand mk" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand mk" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l ttl -d 'Directory time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand mkdir" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand mkdir" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand mkdir" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand setdir" -l ttl -d 'Directory time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand setdir" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand setdir" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand setdir" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand setdir" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand setdir" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand setdir" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand setdir" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand update" -l ttl -d 'Key time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand update" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand update" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand update" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand update" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand update" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand update" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand update" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand update" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand update" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l ttl -d 'Directory time-to-live in seconds' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand updatedir" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand updatedir" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand updatedir" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand rm" -l with-value -d 'Only remove if the current value is this' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l with-index -d 'Only remove if the current modified index is this' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rm" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rm" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rm" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand rm" -l dir -d 'Remove the key if it is an empty directory or a key-value pair'
complete -c kv -n "__fish_kv_using_subcommand rm" -s r -l recursive -d 'Remove the key and all its children'
complete -c kv -n "__fish_kv_using_subcommand rm" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand rm" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand rm" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand rm" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand rmdir" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand rmdir" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand rmdir" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand ls" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand ls" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand ls" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand ls" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand ls" -l sort -d 'Return the result in sorted order'
complete -c kv -n "__fish_kv_using_subcommand ls" -s r -l recursive -d 'List all children recursively'
complete -c kv -n "__fish_kv_using_subcommand ls" -s p -d 'Append a slash to directories'
complete -c kv -n "__fish_kv_using_subcommand ls" -s q -l quorum -d 'Require quorum (a linearizable read)'
complete -c kv -n "__fish_kv_using_subcommand ls" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand ls" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand ls" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand ls" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand watch" -l after-index -d 'Watch changes after this index' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand watch" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand watch" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand watch" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand watch" -s f -l forever -d 'Keep watching after the first change (Ctrl-C ends it)'
complete -c kv -n "__fish_kv_using_subcommand watch" -s r -l recursive -d 'Watch every key under KEY'
complete -c kv -n "__fish_kv_using_subcommand watch" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand watch" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand watch" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand watch" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l after-index -d 'Watch changes after this index' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -s r -l recursive -d 'Watch every key under KEY'
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand exec-watch" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -s f -l forever -d 'Check again every 10 seconds, until Ctrl-C'
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand cluster-health" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -f -a "list" -d 'List the members: ID, name, peer and client URLs, leadership'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -f -a "add" -d 'Add a member: kv member add NAME PEER_URL'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -f -a "remove" -d 'Remove a member: kv member remove ID'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -f -a "update" -d 'Change a member\'s peer URLs: kv member update ID URL[,URL...]'
complete -c kv -n "__fish_kv_using_subcommand member; and not __fish_seen_subcommand_from list add remove update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the members: ID, name, peer and client URLs, leadership'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a member: kv member add NAME PEER_URL'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a member: kv member remove ID'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a member\'s peer URLs: kv member update ID URL[,URL...]'
complete -c kv -n "__fish_kv_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -f -a "enable" -d 'Enable authentication (a root user must exist; requests without credentials get the guest role)'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -f -a "disable" -d 'Disable authentication'
complete -c kv -n "__fish_kv_using_subcommand auth; and not __fish_seen_subcommand_from enable disable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable authentication (a root user must exist; requests without credentials get the guest role)'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable authentication'
complete -c kv -n "__fish_kv_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "add" -d 'Add a user: kv user add NAME[:PASSWORD] (the password is asked for when not given)'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "get" -d 'Show a user and its roles'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "list" -d 'List the users'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "remove" -d 'Remove a user'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "grant" -d 'Grant roles to a user'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "revoke" -d 'Revoke roles from a user'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "passwd" -d 'Change a user\'s password (asked for on the terminal, or read from stdin)'
complete -c kv -n "__fish_kv_using_subcommand user; and not __fish_seen_subcommand_from add get list remove grant revoke passwd help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l roles -d 'A role to grant (repeat the flag for more)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l roles -d 'A role to revoke (repeat the flag for more)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from passwd" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a user: kv user add NAME[:PASSWORD] (the password is asked for when not given)'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show a user and its roles'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the users'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a user'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Grant roles to a user'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke roles from a user'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "passwd" -d 'Change a user\'s password (asked for on the terminal, or read from stdin)'
complete -c kv -n "__fish_kv_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "add" -d 'Add a role (with no permissions)'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "get" -d 'Show a role\'s permissions'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "list" -d 'List the roles'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "remove" -d 'Remove a role'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "grant" -d 'Grant a role read and/or write access to a path: kv role grant ROLE --path /foo/* --read'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "revoke" -d 'Revoke a role\'s access to a path'
complete -c kv -n "__fish_kv_using_subcommand role; and not __fish_seen_subcommand_from add get list remove grant revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l path -d 'The key path (a trailing `*` covers everything below it: /foo/*)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l read -d 'Reading only'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l write -d 'Writing only'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l readwrite -d 'Reading and writing'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l path -d 'The key path (a trailing `*` covers everything below it: /foo/*)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l read -d 'Reading only'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l write -d 'Writing only'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l readwrite -d 'Reading and writing'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a role (with no permissions)'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show a role\'s permissions'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the roles'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a role'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Grant a role read and/or write access to a path: kv role grant ROLE --path /foo/* --read'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a role\'s access to a path'
complete -c kv -n "__fish_kv_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand dump" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand dump" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand dump" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand dump" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand dump" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand dump" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand dump" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand dump" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand load" -l endpoints -d 'Comma-separated endpoints of the cluster [default: $KV_ENDPOINTS, $ETCDCTL_ENDPOINTS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c kv -n "__fish_kv_using_subcommand load" -l endpoint -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_ENDPOINT)' -r
complete -c kv -n "__fish_kv_using_subcommand load" -s C -l peers -d 'Deprecated etcdctl spelling of --endpoints (also ETCDCTL_PEERS)' -r
complete -c kv -n "__fish_kv_using_subcommand load" -s o -l output -d 'Output format: simple, extended or json' -r
complete -c kv -n "__fish_kv_using_subcommand load" -l timeout -d 'Per request: time to connect and get the answer\'s headers (Go duration: 2s, 500ms, 1m)' -r
complete -c kv -n "__fish_kv_using_subcommand load" -l total-timeout -d 'Time limit of the whole command, except watches' -r
complete -c kv -n "__fish_kv_using_subcommand load" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand load" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand load" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c kv -n "__fish_kv_using_subcommand load" -s u -l username -d 'Authenticate as USER (HTTP basic auth); the password is asked for when not given [env: KV_USERNAME, ETCDCTL_USERNAME]' -r
complete -c kv -n "__fish_kv_using_subcommand load" -l no-sync -d 'Use the endpoints as given; don\'t ask the cluster for its members\' client URLs first'
complete -c kv -n "__fish_kv_using_subcommand load" -l json -d 'Same as `-o json`'
complete -c kv -n "__fish_kv_using_subcommand load" -l debug -d 'Accepted for etcdctl compatibility (etcdctl prints cURL commands); ignored'
complete -c kv -n "__fish_kv_using_subcommand load" -s h -l help -d 'Print help'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "set" -d 'Set the value of a key (the value is read from stdin when not given)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "get" -d 'Retrieve the value of a key'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "mk" -d 'Make a new key with a given value (fails if it exists; value from stdin when not given)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "mkdir" -d 'Make a new directory (fails if it exists)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "setdir" -d 'Create a new directory or update an existing directory\'s TTL'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "update" -d 'Update an existing key with a given value (value from stdin when not given)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "updatedir" -d 'Update an existing directory (its TTL)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "rm" -d 'Remove a key or a directory'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "rmdir" -d 'Remove the key if it is an empty directory or a key-value pair'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "ls" -d 'List a directory (default /)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "watch" -d 'Watch a key for changes'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "exec-watch" -d 'Watch a key for changes and run a command on each, with ETCD_WATCH_ACTION, ETCD_WATCH_KEY, ETCD_WATCH_VALUE and ETCD_WATCH_MODIFIED_INDEX in its environment'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "cluster-health" -d 'Check the health of every member of the cluster'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "member" -d 'List, add, remove or update members'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "auth" -d 'Turn authentication on or off (etcd 2\'s users and roles)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "user" -d 'List, add, show, remove users; grant and revoke their roles; change passwords'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "role" -d 'List, add, show, remove roles; grant and revoke their permissions on key paths'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "dump" -d 'Write every node under PREFIX (default /) as JSON lines {key, value, ttl, dir}'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "load" -d 'Read JSON lines written by `kv dump` from stdin and create them (all lines are checked before anything is written)'
complete -c kv -n "__fish_kv_using_subcommand help; and not __fish_seen_subcommand_from set get mk mkdir setdir update updatedir rm rmdir ls watch exec-watch cluster-health member auth user role dump load help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "list" -d 'List the members: ID, name, peer and client URLs, leadership'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "add" -d 'Add a member: kv member add NAME PEER_URL'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "remove" -d 'Remove a member: kv member remove ID'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "update" -d 'Change a member\'s peer URLs: kv member update ID URL[,URL...]'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "enable" -d 'Enable authentication (a root user must exist; requests without credentials get the guest role)'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "disable" -d 'Disable authentication'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "add" -d 'Add a user: kv user add NAME[:PASSWORD] (the password is asked for when not given)'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "get" -d 'Show a user and its roles'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "list" -d 'List the users'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "remove" -d 'Remove a user'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "grant" -d 'Grant roles to a user'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "revoke" -d 'Revoke roles from a user'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "passwd" -d 'Change a user\'s password (asked for on the terminal, or read from stdin)'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "add" -d 'Add a role (with no permissions)'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "get" -d 'Show a role\'s permissions'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "list" -d 'List the roles'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "remove" -d 'Remove a role'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "grant" -d 'Grant a role read and/or write access to a path: kv role grant ROLE --path /foo/* --read'
complete -c kv -n "__fish_kv_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "revoke" -d 'Revoke a role\'s access to a path'
