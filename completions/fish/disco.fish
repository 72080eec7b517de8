# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_disco_global_optspecs
    string join \n o/output= json ca-file= cert-file= key-file= h/help V/version
end

function __fish_disco_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_disco_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_disco_using_subcommand
    set -l cmd (__fish_disco_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c disco -n "__fish_disco_needs_command" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_needs_command" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_needs_command" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_needs_command" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_needs_command" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c disco -n "__fish_disco_needs_command" -s V -l version -d 'Print version'
complete -c disco -n "__fish_disco_needs_command" -f -a "serve" -d 'Run the discovery service (discovery.etcd.io\'s routes and answers) on a store'
complete -c disco -n "__fish_disco_needs_command" -f -a "new" -d 'Make a discovery token and print its URL'
complete -c disco -n "__fish_disco_needs_command" -f -a "announce" -d 'Keep SERVICE/INSTANCE = ADDR[:PORT] in the store while the backend is healthy; withdraw it when the check fails and on SIGTERM'
complete -c disco -n "__fish_disco_needs_command" -f -a "list" -d 'List a service\'s announced instances'
complete -c disco -n "__fish_disco_needs_command" -f -a "render" -d 'Render a template from the store into a file; with --watch, again after every change'
complete -c disco -n "__fish_disco_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c disco -n "__fish_disco_using_subcommand serve" -s e -l kv -l etcd -d 'The store\'s client URLs, comma separated (tried in turn); also read from DISC_ETCD (discovery.etcd.io\'s variable) [default: http://127.0.0.1:2379]' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -s h -l host -d 'The URL prefix of the tokens handed out, as clients reach this service (a path is fine, behind a reverse proxy) [default: http://HOSTNAME:PORT of --addr]' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -s a -l addr -d 'Where to listen (Go style: `:8087` is every address)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l token-ttl -d 'Seconds until a token and its entries expire (0: never, as discovery.etcd.io)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l max-size -d 'The largest size `/new` accepts (the smallest is 1)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l rate-limit -d 'Requests per second each client address may make on average (0: no limit)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l rate-burst -d 'Requests each client address may make in a burst' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l max-open -d 'Requests (long polls included) each client address may have open at once (0: no limit)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l client-header -d 'Take the client\'s address from this header (the last address in it), for a reverse proxy in front that sets it (e.g. X-Forwarded-For)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l timeout -d 'Seconds a store request may take (long polls excepted)' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l watch-limit -d 'Seconds a long poll (`wait=true`) may wait before it is answered empty (etcd\'s clients then poll again); bounds what a watch whose client went away costs' -r
complete -c disco -n "__fish_disco_using_subcommand serve" -l server-cert-file -d 'Serve over HTTPS with this certificate (PEM; reloaded when it changes)' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -l server-key-file -d 'The key of --server-cert-file' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -l server-trusted-ca-file -d 'Serve only clients whose certificate this CA signed' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_using_subcommand serve" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand serve" -l help -d 'Print help'
complete -c disco -n "__fish_disco_using_subcommand serve" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_using_subcommand new" -l size -d 'The number of members the cluster will have' -r
complete -c disco -n "__fish_disco_using_subcommand new" -l server -d 'Ask this discovery service (disco serve, discovery.etcd.io) for the token [default: http://127.0.0.1:8087 unless --kv is given]' -r
complete -c disco -n "__fish_disco_using_subcommand new" -l kv -d 'Make the token straight in this store instead (private discovery: the URL printed is the token\'s directory in the store\'s keys API)' -r
complete -c disco -n "__fish_disco_using_subcommand new" -l dir -d 'With --kv: the store directory tokens go under' -r
complete -c disco -n "__fish_disco_using_subcommand new" -l token-ttl -d 'With --kv: seconds until the token and its entries expire (0: never)' -r
complete -c disco -n "__fish_disco_using_subcommand new" -l max-size -d 'The largest size accepted' -r
complete -c disco -n "__fish_disco_using_subcommand new" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_using_subcommand new" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand new" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand new" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand new" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_using_subcommand new" -s h -l help -d 'Print help'
complete -c disco -n "__fish_disco_using_subcommand announce" -l ttl -d 'Seconds the key lives without a refresh (what is left when this process dies)' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l interval -d 'Seconds between checks and refreshes [default: a third of --ttl]' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l health-url -d 'Healthy while this URL answers below 400' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l health-cmd -d 'Healthy while this command (run with sh -c) exits 0' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l health-timeout -d 'Seconds a check may take' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l instance -d 'The instance\'s name [default: ADDR[:PORT]]' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l prefix -d 'Where services live in the store' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -l kv -l endpoints -d 'The store\'s client URLs, comma separated (tried in turn) [default: http://127.0.0.1:2379]' -r
complete -c disco -n "__fish_disco_using_subcommand announce" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_using_subcommand announce" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand announce" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand announce" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand announce" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_using_subcommand announce" -s h -l help -d 'Print help'
complete -c disco -n "__fish_disco_using_subcommand list" -l prefix -d 'Where services live in the store' -r
complete -c disco -n "__fish_disco_using_subcommand list" -l kv -l endpoints -d 'The store\'s client URLs, comma separated (tried in turn) [default: http://127.0.0.1:2379]' -r
complete -c disco -n "__fish_disco_using_subcommand list" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_using_subcommand list" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand list" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand list" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand list" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_using_subcommand list" -s h -l help -d 'Print help'
complete -c disco -n "__fish_disco_using_subcommand render" -l template -d 'The template (Jinja2 syntax; see TEMPLATES in disco(1))' -r -F
complete -c disco -n "__fish_disco_using_subcommand render" -l out -d 'The file to write (atomically, and only when its content changes)' -r -F
complete -c disco -n "__fish_disco_using_subcommand render" -l prefix -d 'What the template sees: everything under this store directory' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l check-cmd -d 'Run (sh -c) on the staged new file before it replaces the old; `{{src}}` and $DISCO_SRC name it. A failure keeps the old file' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l exec -d 'Run (sh -c) after the file changed, e.g. `nginx -s reload`. A failure puts the old file back' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l debounce -d 'Milliseconds of quiet a burst of changes must end with before it is rendered (an isolated change is rendered at once)' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l mode -d 'The file\'s mode, octal [default: the existing file\'s, else 0644]' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l cmd-timeout -d 'Seconds --check-cmd and --exec may take' -r
complete -c disco -n "__fish_disco_using_subcommand render" -l kv -l endpoints -d 'The store\'s client URLs, comma separated (tried in turn) [default: http://127.0.0.1:2379]' -r
complete -c disco -n "__fish_disco_using_subcommand render" -s o -l output -d 'Output format of the commands that print data (`new`, `list`)' -r -f -a "text\t''
json\t''"
complete -c disco -n "__fish_disco_using_subcommand render" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand render" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand render" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c disco -n "__fish_disco_using_subcommand render" -l watch -d 'Keep running: render again after every change under --prefix'
complete -c disco -n "__fish_disco_using_subcommand render" -l json -d 'Same as `-o json`'
complete -c disco -n "__fish_disco_using_subcommand render" -s h -l help -d 'Print help'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "serve" -d 'Run the discovery service (discovery.etcd.io\'s routes and answers) on a store'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "new" -d 'Make a discovery token and print its URL'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "announce" -d 'Keep SERVICE/INSTANCE = ADDR[:PORT] in the store while the backend is healthy; withdraw it when the check fails and on SIGTERM'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "list" -d 'List a service\'s announced instances'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "render" -d 'Render a template from the store into a file; with --watch, again after every change'
complete -c disco -n "__fish_disco_using_subcommand help; and not __fish_seen_subcommand_from serve new announce list render help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
