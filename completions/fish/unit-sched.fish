# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_unit_sched_global_optspecs
    string join \n endpoints= key-prefix= request-timeout= ca-file= cert-file= key-file= driver= o/output= json h/help V/version
end

function __fish_unit_sched_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_unit_sched_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_unit_sched_using_subcommand
    set -l cmd (__fish_unit_sched_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c unit-sched -n "__fish_unit_sched_needs_command" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_needs_command" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_needs_command" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -s V -l version -d 'Print version'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "submit" -d 'Upload unit files to the cluster without placing them (desired state inactive)'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "load" -d 'Place units on machines, loading them there, submitting them first if needed'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "start" -d 'Start units in the cluster, submitting and loading them first if needed'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "stop" -d 'Stop units (they stay loaded where they are)'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "unload" -d 'Unschedule units (desired state inactive: stopped and unloaded everywhere)'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "destroy" -d 'Remove units from the cluster (stopped and unloaded wherever they run)'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "restart" -d 'Stop units, then start them again'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "cat" -d 'Print a submitted unit\'s file'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "list-units" -d 'List the state of units on the machines that have them'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "list-unit-files" -d 'List the units submitted to the cluster'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "list-machines" -d 'List the machines whose agents are alive'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "status" -d 'Show units\' status (as unit-run status shows it on their machine), with their journal\'s last lines; a global unit shows one section per machine; UNIT@MACHINE picks one'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "journal" -d 'Print a unit\'s journal from its machine'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "engine" -d 'Run the engine: take the lease (or stand by) and place units, until SIGTERM'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "daemon" -d 'fleetd for a machine whose `unit-run daemon` runs locally: the cluster agent, attached to that daemon through its control socket, and the engine — what corekit\'s `fleet.service` (units/unit-sched.service) runs. SIGTERM hands the machine\'s units back'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "simulate-agents" -d 'For the scale benchmark: AGENTS simulated machines in this process, each running the real agent (registration, watches, reconcile, state publishing) on a machine that runs nothing, until SIGTERM (bench/unit-sched-scale.sh)'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "version" -d 'Print the version'
complete -c unit-sched -n "__fish_unit_sched_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l replace -d 'Replace submitted units whose local file differs'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand submit" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l replace -d 'Replace submitted units whose local file differs'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand load" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l replace -d 'Replace units whose local file differs (they restart with the new file)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand start" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand stop" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand unload" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand destroy" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l block-attempts -d 'Wait for the units\' state this many times (about 2 s each), then give up; 0 waits as long as it takes (a unit that cannot be placed or fails is reported, not waited for)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l no-block -d 'Do not wait until the units reach their state'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand restart" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand cat" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l fields -d 'Columns: unit, machine, active, sub, load, hash' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -s l -l full -d 'Do not shorten machine IDs and hashes'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l no-legend -d 'Do not print the header line'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-units" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l fields -d 'Columns: unit, hash, dstate, state, target, global, desc (tmachine: old name of target)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -s l -l full -d 'Do not shorten machine IDs and hashes'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l no-legend -d 'Do not print the header line'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-unit-files" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l fields -d 'Columns: machine, ip, metadata' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -s l -l full -d 'Do not shorten machine IDs and hashes'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l no-legend -d 'Do not print the header line'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand list-machines" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand status" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -s n -l lines -d 'How many lines' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -s f -l follow -d 'Keep printing new lines as they come'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand journal" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l machine-id -d 'The ID this engine goes by in the lease [default: /etc/machine-id]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l reconcile-interval -d 'How often the leader reconciles without news (fleet: 2 s)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand engine" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l run-dir -d 'The run dir of the machine\'s unit-run daemon' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l reconcile-interval -d 'How often the leading engine reconciles without news' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l public-ip -d 'The address listings show for this machine, and where the agent\'s HTTP port listens [default: the first non-loopback address]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l metadata -d 'This machine\'s metadata for MachineMetadata= (`k=v,k2=v2`)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l agent-ttl -d 'How long this machine\'s record (and its units\' states) outlive the agent\'s last renewal' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l agent-addr -d 'Where the agent serves its units\' status and journal [default: PUBLIC_IP:49153]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l etcd-request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l agent-cert-file -d 'Serve the agent\'s port over HTTPS with this certificate (PEM; reloaded when it changes)' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l agent-key-file -d 'The key of --agent-cert-file' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l agent-trusted-ca-file -d 'Serve only clients (unit-sched) whose certificate this CA signed' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l disable-engine -d 'Run the agent only, no engine (fleet.conf\'s disable_engine)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand daemon" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l agents -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l agent-ttl -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand simulate-agents" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l endpoints -d 'The store\'s client URLs, comma-separated [default: $KV_ENDPOINTS, $FLEETCTL_ENDPOINT, $FLEET_ETCD_SERVERS, http://127.0.0.1:2379,http://127.0.0.1:4001]' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l driver -d 'fleetctl\'s driver choice; unit-sched always talks to the store (`API` and `etcd` are both accepted so fleetctl command lines work)' -r
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -l json -d 'Same as `-o json`'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand version" -s h -l help -d 'Print help'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "submit" -d 'Upload unit files to the cluster without placing them (desired state inactive)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "load" -d 'Place units on machines, loading them there, submitting them first if needed'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "start" -d 'Start units in the cluster, submitting and loading them first if needed'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "stop" -d 'Stop units (they stay loaded where they are)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "unload" -d 'Unschedule units (desired state inactive: stopped and unloaded everywhere)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "destroy" -d 'Remove units from the cluster (stopped and unloaded wherever they run)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "restart" -d 'Stop units, then start them again'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "cat" -d 'Print a submitted unit\'s file'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "list-units" -d 'List the state of units on the machines that have them'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "list-unit-files" -d 'List the units submitted to the cluster'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "list-machines" -d 'List the machines whose agents are alive'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "status" -d 'Show units\' status (as unit-run status shows it on their machine), with their journal\'s last lines; a global unit shows one section per machine; UNIT@MACHINE picks one'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "journal" -d 'Print a unit\'s journal from its machine'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "engine" -d 'Run the engine: take the lease (or stand by) and place units, until SIGTERM'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "daemon" -d 'fleetd for a machine whose `unit-run daemon` runs locally: the cluster agent, attached to that daemon through its control socket, and the engine — what corekit\'s `fleet.service` (units/unit-sched.service) runs. SIGTERM hands the machine\'s units back'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "simulate-agents" -d 'For the scale benchmark: AGENTS simulated machines in this process, each running the real agent (registration, watches, reconcile, state publishing) on a machine that runs nothing, until SIGTERM (bench/unit-sched-scale.sh)'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "version" -d 'Print the version'
complete -c unit-sched -n "__fish_unit_sched_using_subcommand help; and not __fish_seen_subcommand_from submit load start stop unload destroy restart cat list-units list-unit-files list-machines status journal engine daemon simulate-agents version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
