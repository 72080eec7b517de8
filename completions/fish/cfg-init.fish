# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cfg_init_global_optspecs
    string join \n o/output= json h/help V/version
end

function __fish_cfg_init_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cfg_init_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cfg_init_using_subcommand
    set -l cmd (__fish_cfg_init_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cfg-init -n "__fish_cfg_init_needs_command" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c cfg-init -n "__fish_cfg_init_needs_command" -l json -d 'Same as `-o json`'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -s V -l version -d 'Print version'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -f -a "validate" -d 'Check user-data: `FILE:LINE:COLUMN: error|warning|info: message` for every finding; exits 1 if there is an error'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -f -a "apply" -d 'Make this machine (or the tree under --root) what the cloud-config says. Nothing is done if the user-data has an error; a second run changes nothing'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -f -a "reindent" -d 'Print a cloud-config whose indentation was lost, re-indented from the keys\' places'
complete -c cfg-init -n "__fish_cfg_init_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l root -d 'The target\'s root: /etc/environment is read there, and `apply` writes everything under it (useradd and chpasswd get `--root DIR`)' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l private-ipv4 -d 'Value of `$private_ipv4`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l public-ipv4 -d 'Value of `$public_ipv4`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l private-ipv6 -d 'Value of `$private_ipv6`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l public-ipv6 -d 'Value of `$public_ipv6`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l metadata-url -d 'An EC2-style metadata service (its root, e.g. http://169.254.169.254): local-ipv4, public-ipv4, ipv6, hostname and public-keys under /latest/meta-data/' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l metadata-timeout -d 'Seconds each request to the metadata service (or a user-data URL) may take' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l metadata-retries -d 'How many times a failed request is tried again (with back-off)' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l config-drive -d 'An OpenStack config drive (mounted): user-data from openstack/latest/user_data, hostname and keys from openstack/latest/meta_data.json, addresses from ec2/latest/meta-data.json' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -l json -d 'Same as `-o json`'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand validate" -s h -l help -d 'Print help'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l root -d 'The target\'s root: /etc/environment is read there, and `apply` writes everything under it (useradd and chpasswd get `--root DIR`)' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l private-ipv4 -d 'Value of `$private_ipv4`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l public-ipv4 -d 'Value of `$public_ipv4`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l private-ipv6 -d 'Value of `$private_ipv6`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l public-ipv6 -d 'Value of `$public_ipv6`' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l metadata-url -d 'An EC2-style metadata service (its root, e.g. http://169.254.169.254): local-ipv4, public-ipv4, ipv6, hostname and public-keys under /latest/meta-data/' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l metadata-timeout -d 'Seconds each request to the metadata service (or a user-data URL) may take' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l metadata-retries -d 'How many times a failed request is tried again (with back-off)' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l config-drive -d 'An OpenStack config drive (mounted): user-data from openstack/latest/user_data, hostname and keys from openstack/latest/meta_data.json, addresses from ec2/latest/meta-data.json' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l ca-file -d 'Verify HTTPS endpoints with this CA bundle [env: KV_CA_FILE, ETCDCTL_CA_FILE; unit-run and unit-sched: FLEET_ETCD_CAFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l cert-file -d 'Identify this client to HTTPS endpoints with this certificate [env: KV_CERT_FILE, ETCDCTL_CERT_FILE; unit-run and unit-sched: FLEET_ETCD_CERTFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l key-file -d 'The key of --cert-file [env: KV_KEY_FILE, ETCDCTL_KEY_FILE; unit-run and unit-sched: FLEET_ETCD_KEYFILE first]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l run-dir -d 'The run dir: kv-serve.env, unit-run.env and the agent\'s socket [default: ROOT/run/corekit]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l bin-dir -d 'Where kv-serve, unit-run and unit-sched are [default: the directory of cfg-init itself]' -r -F
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l ssh-user -d 'The user `ssh_authorized_keys` are for' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l ssh-key-name -d 'The name of cfg-init\'s block of keys in authorized_keys' -r
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -s n -l dry-run -d 'Print every change (each file\'s full contents, each command) and change nothing'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -l json -d 'Same as `-o json`'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand apply" -s h -l help -d 'Print help'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand reindent" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c cfg-init -n "__fish_cfg_init_using_subcommand reindent" -l json -d 'Same as `-o json`'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand reindent" -s h -l help -d 'Print help'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand help; and not __fish_seen_subcommand_from validate apply reindent help" -f -a "validate" -d 'Check user-data: `FILE:LINE:COLUMN: error|warning|info: message` for every finding; exits 1 if there is an error'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand help; and not __fish_seen_subcommand_from validate apply reindent help" -f -a "apply" -d 'Make this machine (or the tree under --root) what the cloud-config says. Nothing is done if the user-data has an error; a second run changes nothing'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand help; and not __fish_seen_subcommand_from validate apply reindent help" -f -a "reindent" -d 'Print a cloud-config whose indentation was lost, re-indented from the keys\' places'
complete -c cfg-init -n "__fish_cfg_init_using_subcommand help; and not __fish_seen_subcommand_from validate apply reindent help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
