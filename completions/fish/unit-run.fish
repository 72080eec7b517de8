# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_unit_run_global_optspecs
    string join \n run-dir= o/output= json h/help V/version
end

function __fish_unit_run_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_unit_run_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_unit_run_using_subcommand
    set -l cmd (__fish_unit_run_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c unit-run -n "__fish_unit_run_needs_command" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_needs_command" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_needs_command" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c unit-run -n "__fish_unit_run_needs_command" -s V -l version -d 'Print version'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "daemon" -d 'Run the node agent: supervise units until SIGTERM, which stops them all'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "load" -d 'Load unit files (or replace loaded ones); a template (name@.service) is kept for its instances'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "unload" -d 'Stop units if they run, then forget them'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "start" -d 'Start units and wait until they are active (or have failed). A path (with a \'/\') is loaded first'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "stop" -d 'Stop units and wait until they are down: ExecStop, KillSignal, SIGKILL after TimeoutStopSec, containers removed'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "restart" -d 'Stop units if they run, then start them. A path (with a \'/\') is loaded first'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "reload" -d 'Run units\' ExecReload lines (with $MAINPID) and wait for them'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "status" -d 'Show units\' state, processes, resources, containers and last journal lines'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "journal" -d 'Show a unit\'s journal: what its processes wrote, with timestamps'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "list" -d 'List loaded units and their states'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "machine" -d 'Show this machine\'s ID, hostname, addresses and Docker engine'
complete -c unit-run -n "__fish_unit_run_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l machine-id -d 'The machine ID to report [default: /etc/machine-id, else one kept in the run dir]' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l journal-max-bytes -d 'Largest size of a unit\'s journal file before it is rotated (one older file is kept)' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l endpoints -d 'Join the cluster whose store answers at these client URLs (comma-separated): register this machine and run what the scheduler places on it. Without it the daemon stays local' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l key-prefix -d 'Where the scheduler\'s keys live in the store' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l public-ip -d 'The address listings show for this machine, and where the agent\'s HTTP port listens [default: the first non-loopback address]' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l metadata -d 'This machine\'s metadata for MachineMetadata= (`k=v,k2=v2`)' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l agent-ttl -d 'How long this machine\'s record (and its units\' states) outlive the agent\'s last renewal' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l agent-addr -d 'Where the agent serves its units\' status and journal [default: PUBLIC_IP:49153]' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l etcd-request-timeout -d 'Seconds a single request to the store may take' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l agent-cert-file -d 'Serve the agent\'s port over HTTPS with this certificate (PEM; reloaded when it changes)' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l agent-key-file -d 'The key of --agent-cert-file' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l agent-trusted-ca-file -d 'Serve only clients (unit-sched) whose certificate this CA signed' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l no-cgroups -d 'Don\'t make cgroups: track units by session and INVOCATION_ID only (as where no cgroup can be made)'
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand daemon" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand load" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand load" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand load" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand load" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand unload" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand unload" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand unload" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand unload" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand start" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand start" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand start" -l no-block -d 'Don\'t wait for the start to finish'
complete -c unit-run -n "__fish_unit_run_using_subcommand start" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand start" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand stop" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand stop" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand stop" -l no-block -d 'Don\'t wait for the stop to finish'
complete -c unit-run -n "__fish_unit_run_using_subcommand stop" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand stop" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand restart" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand restart" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand restart" -l no-block -d 'Don\'t wait for the restart to finish'
complete -c unit-run -n "__fish_unit_run_using_subcommand restart" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand restart" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand reload" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand reload" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand reload" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand reload" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand status" -s n -l lines -d 'How many journal lines to show' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand status" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand status" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand status" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -s n -l lines -d 'How many lines to show (0: all)' -r
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -s f -l follow -d 'Keep printing new lines as they come'
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand journal" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand list" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand list" -l no-legend -d 'Leave out the header line'
complete -c unit-run -n "__fish_unit_run_using_subcommand list" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand list" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand machine" -l run-dir -d 'Where the control socket, unit files and journals live' -r -F
complete -c unit-run -n "__fish_unit_run_using_subcommand machine" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c unit-run -n "__fish_unit_run_using_subcommand machine" -l json -d 'Same as `-o json`'
complete -c unit-run -n "__fish_unit_run_using_subcommand machine" -s h -l help -d 'Print help'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "daemon" -d 'Run the node agent: supervise units until SIGTERM, which stops them all'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "load" -d 'Load unit files (or replace loaded ones); a template (name@.service) is kept for its instances'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "unload" -d 'Stop units if they run, then forget them'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "start" -d 'Start units and wait until they are active (or have failed). A path (with a \'/\') is loaded first'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "stop" -d 'Stop units and wait until they are down: ExecStop, KillSignal, SIGKILL after TimeoutStopSec, containers removed'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "restart" -d 'Stop units if they run, then start them. A path (with a \'/\') is loaded first'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "reload" -d 'Run units\' ExecReload lines (with $MAINPID) and wait for them'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "status" -d 'Show units\' state, processes, resources, containers and last journal lines'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "journal" -d 'Show a unit\'s journal: what its processes wrote, with timestamps'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "list" -d 'List loaded units and their states'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "machine" -d 'Show this machine\'s ID, hostname, addresses and Docker engine'
complete -c unit-run -n "__fish_unit_run_using_subcommand help; and not __fish_seen_subcommand_from daemon load unload start stop restart reload status journal list machine help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
