#!/usr/bin/env bash
# `disco render --watch` against confd v0.16 `-watch`, side by side on the same etcd 3.4 (v2
# API) and the same nginx setup as ../shared/reference/confd: an upstream snippet rendered
# from /services/web/*, checked with `nginx -t` on a config that includes the staged file,
# installed, and nginx reloaded (each tool has a private nginx of its own).
#
#   bench/disco-vs-confd.sh
#
# The tools take turns (never both at once: two cores), ROUNDS rounds of N/ROUNDS writes each
# (add, delete, change under /services/web, 300 ms apart), so that the machine's drift hits
# both alike; from the moment each write is sent:
#   file    the rendered file has the new content
#   reload  the reload command finished (it appends a time stamp)
#   worker  nginx runs a new worker (the reload took effect)
# then the lost-update race of confd's README 4.2: two writes to one key d ms apart, is the
# second rendered within 2 s? Medians (min–max) in ms; STALE counts.
#
# Environment:
#   N=30                   writes per tool
#   ROUNDS=3               turns per tool
#   CONFD                  confd binary (default /tmp/confd/bin/confd: build it with
#                          ../shared/reference/confd/build.sh, never into this repository)
#   DISCO_BIN              default target/release/disco (built if missing)
#   ETCD=etcd NGINX=nginx
#   SHOW_DISCO_TIMES=1     print where disco's time went (its debug log's cycle timings)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-30}
ROUNDS=${ROUNDS:-3}
CONFD=${CONFD:-/tmp/confd/bin/confd}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DISCO_BIN=${DISCO_BIN:-$TARGET_DIR/release/disco}
ETCD=${ETCD:-etcd}
NGINX=${NGINX:-nginx}
IP=127.0.0.191

die() { echo "bench: $*" >&2; exit 1; }
for tool in python3 curl "$ETCD" "$NGINX"; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install python3 curl etcd-server nginx)"
done
[ -x "$CONFD" ] || die "no confd at $CONFD: build it with ../shared/reference/confd/build.sh (see its README)"
if [ ! -x "$DISCO_BIN" ]; then
    echo "bench: building the release disco" >&2
    (cd "$ROOT" && cargo build --release --bin disco)
fi

work=$(mktemp -d /tmp/disco-vs-confd.XXXXXX)
chmod 755 "$work"
etcd_pid=
cleanup() {
    for t in confd disco; do
        [ -f "$work/$t/nginx.pid" ] && kill -QUIT "$(cat "$work/$t/nginx.pid")" 2>/dev/null || true
    done
    [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$ETCD" --name bench --data-dir "$work/etcd" --enable-v2=true \
    --listen-client-urls "http://$IP:2379" --advertise-client-urls "http://$IP:2379" \
    --listen-peer-urls "http://$IP:2380" --initial-advertise-peer-urls "http://$IP:2380" \
    --initial-cluster "bench=http://$IP:2380" >"$work/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 100); do curl -sf "http://$IP:2379/v2/keys/" >/dev/null && break; sleep 0.05; done

# One private nginx per tool: main config from nginx.conf.in with __UPSTREAM__ = the rendered
# file (its check config: the staged file instead).
listen=(194 195)
i=0
for t in confd disco; do
    d=$work/$t
    mkdir -p "$d/tmp" "$d/etc/conf.d" "$d/etc/templates"
    cat >"$d/nginx.conf.in" <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/nginx-error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path       $d/tmp/proxy;
    fastcgi_temp_path     $d/tmp/fastcgi;
    uwsgi_temp_path       $d/tmp/uwsgi;
    scgi_temp_path        $d/tmp/scgi;
    include __UPSTREAM__;
    server { listen 127.0.0.${listen[$i]}:8080; location / { proxy_pass http://web; } }
}
EOF
    sed "s#__UPSTREAM__#$d/upstream.conf#" "$d/nginx.conf.in" >"$d/nginx.conf"
    printf 'upstream web {\n    server 127.0.0.182:8081;\n}\n' >"$d/upstream.conf"
    "$NGINX" -p "$d/" -e "$d/nginx-error.log" -c "$d/nginx.conf"
    i=$((i + 1))
done

# The same check and reload for both; {{.src}} is confd's staged file, {{src}} disco's.
check() { echo "sed 's#__UPSTREAM__#$1#' $work/$2/nginx.conf.in > $work/$2/nginx-check.conf && $NGINX -t -q -p $work/$2/ -e $work/$2/nginx-check-error.log -c $work/$2/nginx-check.conf"; }
reload() { echo "$NGINX -s reload -p $work/$1/ -e $work/$1/nginx-error.log -c $work/$1/nginx.conf && date +%s.%N >> $work/$1/reload.stamps"; }

c=$work/confd
cat >"$c/etc/templates/upstream.conf.tmpl" <<'EOF'
upstream web {
{{- range gets "/services/web/*"}}
    server {{.Value}};    # {{base .Key}}
{{- end}}
}
EOF
cat >"$c/etc/conf.d/web-upstream.toml" <<EOF
[template]
src  = "upstream.conf.tmpl"
dest = "$c/upstream.conf"
keys = ["/services/web"]
mode = "0644"
check_cmd = "$(check '{{.src}}' confd)"
reload_cmd = "$(reload confd)"
EOF
d=$work/disco
cat >"$d/upstream.conf.tmpl" <<'EOF'
upstream web {
{% for s in gets("/services/web/*") %}
    server {{ s.value }};    # {{ s.key|base }}
{% endfor %}
}
EOF

export IP N ROUNDS work CONFD DISCO_BIN
export CONFD_CHECK_RELOAD=1
export DISCO_CHECK
DISCO_CHECK=$(check '{{src}}' disco)
export DISCO_RELOAD
DISCO_RELOAD=$(reload disco)

python3 - <<'PY'
import http.client, os, statistics, subprocess, time, urllib.parse

IP, N, W = os.environ['IP'], int(os.environ['N']), os.environ['work']

def etcd(method, key, value=None):
    c = http.client.HTTPConnection(IP, 2379, timeout=5)
    body = urllib.parse.urlencode({'value': value}) if value is not None else None
    hdr = {'Content-Type': 'application/x-www-form-urlencoded'} if body else {}
    c.request(method, '/v2/keys' + key, body=body, headers=hdr)
    r = c.getresponse(); r.read(); c.close()
    return r.status

def read(p):
    try:
        return open(p).read()
    except OSError:
        return ''

def workers(tool):
    try:
        m = open(f'{W}/{tool}/nginx.pid').read().strip()
        return open(f'/proc/{m}/task/{m}/children').read().split()
    except OSError:
        return []

def start(tool):
    if tool == 'confd':
        args = [os.environ['CONFD'], '-backend', 'etcd', '-node', f'http://{IP}:2379', '-confdir', f'{W}/confd/etc',
                '-config-file', f'{W}/confd/etc/confd.toml', '-watch']
    else:
        args = [os.environ['DISCO_BIN'], 'render', '--watch', '--kv', f'http://{IP}:2379', '--prefix', '/services/web',
                '--template', f'{W}/disco/upstream.conf.tmpl', '--out', f'{W}/disco/upstream.conf',
                '--check-cmd', os.environ['DISCO_CHECK'], '--exec', os.environ['DISCO_RELOAD']]
    env = dict(os.environ)
    if tool == 'disco' and os.environ.get('SHOW_DISCO_TIMES'):
        env['COREKIT_LOG'] = 'debug'
    p = subprocess.Popen(args, stdout=open(f'{W}/{tool}.log', 'a'), stderr=subprocess.STDOUT, env=env)
    time.sleep(1.5)
    return p

ops = [('PUT', '/services/web/c', '127.0.0.185:8081'), ('DELETE', '/services/web/a', None),
       ('PUT', '/services/web/b', '127.0.0.186:8081'), ('PUT', '/services/web/a', '127.0.0.182:8081'),
       ('PUT', '/services/web/b', '127.0.0.183:8081'), ('DELETE', '/services/web/c', None)]

def phase(tool, n, results):
    etcd('PUT', '/services/web/a', '127.0.0.182:8081'); etcd('PUT', '/services/web/b', '127.0.0.183:8081'); etcd('DELETE', '/services/web/c')
    p = start(tool)
    dest, stamps = f'{W}/{tool}/upstream.conf', f'{W}/{tool}/reload.stamps'
    f_ms, r_ms, w_ms = results[tool][:3]
    for i in range(n):
        method, key, value = ops[i % len(ops)]
        before, nst, wk = read(dest), len(read(stamps).split()), workers(tool)
        t0 = time.time()
        etcd(method, key, value)
        tf = tr = tw = None
        while time.time() - t0 < 5 and None in (tf, tr, tw):
            now = time.time()
            if tf is None and read(dest) != before: tf = now
            if tr is None and len(read(stamps).split()) > nst: tr = now
            if tw is None and workers(tool) not in (wk, []): tw = now
            time.sleep(0.0005)
        for lst, t in ((f_ms, tf), (r_ms, tr), (w_ms, tw)):
            if t is not None: lst.append((t - t0) * 1000)
        time.sleep(0.3)
    return p

def race(tool, p, results):
    # confd README 4.2: a second write d ms after the first.
    dest = f'{W}/{tool}/upstream.conf'
    for d in (0, 2, 5, 10, 15):
        for k in range(2):
            v1, v2 = f'127.0.0.185:{9000 + 10 * d + k}', f'127.0.0.186:{9000 + 10 * d + k}'
            etcd('PUT', '/services/web/r', v1); time.sleep(d / 1000); etcd('PUT', '/services/web/r', v2)
            t0 = time.time()
            while time.time() - t0 < 2 and v2 not in read(dest): time.sleep(0.002)
            results[tool][3].append((d, v2 not in read(dest)))
            etcd('DELETE', '/services/web/r'); time.sleep(0.3)

ROUNDS = int(os.environ['ROUNDS'])
results = {t: ([], [], [], []) for t in ('confd', 'disco')}
for rnd in range(ROUNDS):
    order = ['confd', 'disco'] if rnd % 2 == 0 else ['disco', 'confd']
    for tool in order:
        p = phase(tool, N // ROUNDS, results)
        if rnd == ROUNDS - 1:
            race(tool, p, results)
        p.terminate(); p.wait()

def stat(v):
    if not v: return 'n/a'
    return f'{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f}), n={len(v)}'

print(f'\n| {N // ROUNDS * ROUNDS} writes in {ROUNDS} turns, ms after the write is sent | confd v0.16 -watch | disco render --watch |')
print('|---|---|---|')
for i, name in enumerate(['rendered file changed', 'reload command done', 'new nginx worker']):
    print(f'| {name} | {stat(results["confd"][i])} | {stat(results["disco"][i])} |')
if os.environ.get('SHOW_DISCO_TIMES'):
    for l in open(f'{W}/disco.log'):
        if 'render: ' in l and ('staged in' in l or 'read /services' in l):
            print(l.rstrip())
for tool in ['confd', 'disco']:
    s = results[tool][3]
    print(f'{tool}: second write d ms after the first, not rendered within 2 s: '
          + ', '.join(f'd={d}:{"STALE" if x else "ok"}' for d, x in s) + f' — {sum(x for _, x in s)}/{len(s)} stale')
PY
