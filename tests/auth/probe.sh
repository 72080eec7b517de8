#!/usr/bin/env bash
# probe.sh — replayable probe of the etcd v2 auth API (/v2/auth/*) and of
# auth enforcement on /v2/keys, /v2/members, /v2/stats, /version, /health.
#
# Usage:
#   probe.sh http [ENDPOINT]   # HTTP transcripts with curl (default mode)
#   probe.sh ctl  [ENDPOINT]   # etcdctl (v2) transcripts: stdout, stderr, exit code
#
# tests/auth_compare.rs runs both modes against kv-serve and etcd 3.4 (and `ctl` with
# CTL=kv against kv-serve) and compares the transcripts step by step.
#
#   ENDPOINT  default http://127.0.0.77:2379
#   env UNREACHABLE   an endpoint nothing listens on (default http://127.0.0.1:9)
#   env NORMALIZE=1   replace volatile values (Date, cluster id, raft/etcd indexes,
#                     created/modified indexes, expiration, bcrypt timings) so two
#                     servers' transcripts can be diffed.
#   env TIMING=1      (http mode) also time authenticated vs anonymous requests.
#   env CTL="..."     (ctl mode) command to run instead of "etcdctl" with ETCDCTL_API=2,
#                     e.g. CTL="kv" for the reimplementation. The script appends
#                     "--endpoints $ENDPOINT" itself.
#
# PRECONDITION: a FRESH server (empty data dir, auth never enabled, no users/roles,
# no keys). Each mode mutates state; start a fresh server for each mode.
# The script stops at nothing: every step is printed with its result.

set -u
MODE=${1:-http}
EP=${2:-http://127.0.0.77:2379}
EP=${EP%/}
UNREACHABLE=${UNREACHABLE:-http://127.0.0.1:9}
NORMALIZE=${NORMALIZE:-0}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=0

norm() {
  if [ "$NORMALIZE" = 1 ]; then
    sed -E \
      -e 's/^(Date:) .*/\1 <date>/I' \
      -e 's/^(X-Etcd-Cluster-Id:) .*/\1 <cid>/I' \
      -e 's/^(X-Etcd-Index:) [0-9]+/\1 <n>/I' \
      -e 's/^(X-Raft-Index:) [0-9]+/\1 <n>/I' \
      -e 's/^(X-Raft-Term:) [0-9]+/\1 <n>/I' \
      -e 's/"(modifiedIndex|createdIndex|index)":[0-9]+/"\1":<n>/g' \
      -e 's/"expiration":"[^"]*"/"expiration":"<t>"/g' \
      -e 's/\[[0-9]+\]$/[<n>]/'
  else
    cat
  fi
}

step() { N=$((N+1)); printf '\n### %d. %s\n' "$N" "$*"; }

# req METHOD PATH [extra curl args...]
# Prints the curl command, status line + headers, raw body, and a body summary
# line telling the exact byte count and whether the body ends with a newline.
req() {
  local m=$1 p=$2; shift 2
  local shown="curl -si"
  if [ "$m" = HEAD ]; then shown="curl -sI"; elif [ "$m" != GET ]; then shown="$shown -X $m"; fi
  local a
  for a in "$@"; do
    case "$a" in -*) shown="$shown $a";; *) shown="$shown '$a'";; esac
  done
  echo "\$ $shown \"\$EP$p\""
  rm -f "$TMP/h" "$TMP/b"; : > "$TMP/h"; : > "$TMP/b"
  if [ "$m" = HEAD ]; then
    curl -s -S -I -D "$TMP/h" -o /dev/null "$@" "$EP$p"
    : > "$TMP/b"
  else
    curl -s -S -D "$TMP/h" -o "$TMP/b" -X "$m" "$@" "$EP$p"
    local crc=$?
    [ $crc -ne 0 ] && echo "[curl exit $crc]"
  fi
  tr -d '\r' < "$TMP/h" | sed '/^$/d' | norm
  echo
  norm < "$TMP/b"
  local sz; sz=$(wc -c < "$TMP/b")
  if [ "$sz" -gt 0 ]; then
    if [ "$(tail -c1 "$TMP/b" | od -An -c | tr -d ' ')" = '\n' ]; then
      echo "[body: $sz bytes, ends with \\n]"
    else
      echo; echo "[body: $sz bytes, NO trailing newline]"
    fi
  else
    echo "[body: empty]"
  fi
}

J='Content-Type: application/json'

http_mode() {
  echo "# v2 auth HTTP probe against \$EP=$EP"

  step "baseline: /version, /health"
  req GET /version
  req GET /health

  echo; echo "## A. auth disabled, nothing created yet"
  step "GET /v2/auth/enable (disabled)"
  req GET /v2/auth/enable
  step "GET /v2/auth/users (no users yet)"
  req GET /v2/auth/users
  step "GET /v2/auth/users/ (trailing slash => same as list)"
  req GET /v2/auth/users/
  step "GET /v2/auth/roles (only built-in root)"
  req GET /v2/auth/roles
  step "GET /v2/auth/roles/root"
  req GET /v2/auth/roles/root
  step "GET /v2/auth/roles/guest (does not exist before first enable)"
  req GET /v2/auth/roles/guest
  step "PUT /v2/auth/enable without root user"
  req PUT /v2/auth/enable
  step "DELETE /v2/auth/enable while disabled"
  req DELETE /v2/auth/enable
  step "POST /v2/auth/enable (method not allowed)"
  req POST /v2/auth/enable
  step "POST /v2/auth/users (method not allowed)"
  req POST /v2/auth/users
  step "PUT /v2/auth/users (method not allowed on collection)"
  req PUT /v2/auth/users -H "$J" -d '{}'
  step "GET /v2/auth/users/a/b (invalid path)"
  req GET /v2/auth/users/a/b
  step "GET /v2/auth/roles/a/b (invalid path)"
  req GET /v2/auth/roles/a/b

  echo; echo "## B. users: errors"
  step "GET unknown user"
  req GET /v2/auth/users/nobody
  step "DELETE unknown user"
  req DELETE /v2/auth/users/nobody
  step "PUT user: bad JSON"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":'
  step "PUT user: empty body"
  req PUT /v2/auth/users/alice
  step "PUT user: name mismatch URL vs body"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"bob","password":"x"}'
  step "PUT user: missing password on create"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice"}'
  step "PUT user: missing password on create, with roles"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","roles":["x"]}'
  step "PUT user: grant on unknown user"
  req PUT /v2/auth/users/nobody -H "$J" -d '{"user":"nobody","grant":["x"]}'
  step "PUT user: roles and grant together"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","roles":["a"],"grant":["b"]}'

  echo; echo "## C. users: create / update"
  step "create root user"
  req PUT /v2/auth/users/root -H "$J" -d '{"user":"root","password":"rootpw"}'
  step "GET /v2/auth/users/root"
  req GET /v2/auth/users/root
  step "PUT root again with a password (=> update, password change)"
  req PUT /v2/auth/users/root -H "$J" -d '{"user":"root","password":"rootpw"}'
  step "PUT root with neither password nor grant/revoke (no change)"
  req PUT /v2/auth/users/root -H "$J" -d '{"user":"root"}'
  step "PUT existing user with roles list (=> CreateUser => conflict)"
  req PUT /v2/auth/users/root -H "$J" -d '{"user":"root","password":"rootpw","roles":["root"]}'
  step "create alice (no roles)"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","password":"alicepw"}'
  step "GET alice (no roles => roles key omitted)"
  req GET /v2/auth/users/alice
  step "create carol with roles list (roles not validated; status of this create path)"
  req PUT /v2/auth/users/carol -H "$J" -d '{"user":"carol","password":"carolpw","roles":["ghost"]}'
  step "GET carol (role ghost does not exist)"
  req GET /v2/auth/users/carol
  step "GET /v2/auth/users (ghost role silently skipped in list)"
  req GET /v2/auth/users
  step "DELETE carol"
  req DELETE /v2/auth/users/carol
  step "case-insensitive JSON keys / unknown fields / trailing garbage"
  req PUT /v2/auth/users/dave -H "$J" -d '{"User":"dave","PASSWORD":"davepw","extra":1} trailing'

  echo; echo "## D. roles"
  step "create role fooer with permissions"
  req PUT /v2/auth/roles/fooer -H "$J" -d '{"role":"fooer","permissions":{"kv":{"read":["/foo/*"],"write":["/foo/*"]}}}'
  step "create role reader (no permissions)"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader"}'
  step "GET role reader"
  req GET /v2/auth/roles/reader
  step "create existing role"
  req PUT /v2/auth/roles/fooer -H "$J" -d '{"role":"fooer"}'
  step "grant read /pub/* and /exact to reader"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","grant":{"kv":{"read":["/pub/*","/exact"]}}}'
  step "grant duplicate read"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","grant":{"kv":{"read":["/pub/*"]}}}'
  step "grant write /exact and read /wild*"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","grant":{"kv":{"read":["/wild*"],"write":["/exact"]}}}'
  step "revoke write /exact"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","revoke":{"kv":{"write":["/exact"]}}}'
  step "revoke not-granted permission (ignored; is it 'not updated'?)"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","revoke":{"kv":{"write":["/never"]}}}'
  step "grant with empty kv lists (counts as create => conflict)"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","grant":{"kv":{"read":[],"write":[]}}}'
  step "permissions and grant together"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"reader","permissions":{"kv":{"read":["/a"]}},"grant":{"kv":{"read":["/b"]}}}'
  step "role name mismatch"
  req PUT /v2/auth/roles/reader -H "$J" -d '{"role":"other"}'
  step "role bad JSON"
  req PUT /v2/auth/roles/reader -H "$J" -d 'nope'
  step "grant on unknown role"
  req PUT /v2/auth/roles/nope -H "$J" -d '{"role":"nope","grant":{"kv":{"read":["/a"]}}}'
  step "GET unknown role"
  req GET /v2/auth/roles/nope
  step "DELETE unknown role"
  req DELETE /v2/auth/roles/nope
  step "PUT root role (create)"
  req PUT /v2/auth/roles/root -H "$J" -d '{"role":"root"}'
  step "PUT root role (grant)"
  req PUT /v2/auth/roles/root -H "$J" -d '{"role":"root","grant":{"kv":{"read":["/x"]}}}'
  step "DELETE root role"
  req DELETE /v2/auth/roles/root
  step "create then delete role tmp"
  req PUT /v2/auth/roles/tmp -H "$J" -d '{"role":"tmp"}'
  req DELETE /v2/auth/roles/tmp
  step "POST role (method not allowed)"
  req POST /v2/auth/roles/tmp
  step "GET /v2/auth/roles (list, sorted)"
  req GET /v2/auth/roles

  echo; echo "## E. user grant / revoke"
  step "grant fooer to alice"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","grant":["fooer"]}'
  step "grant duplicate"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","grant":["fooer"]}'
  step "revoke ungranted"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","revoke":["reader"]}'
  step "grant + revoke in one request"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","grant":["reader"],"revoke":["fooer"]}'
  step "restore alice to fooer only"
  req PUT /v2/auth/users/alice -H "$J" -d '{"user":"alice","grant":["fooer"],"revoke":["reader"]}'
  step "create bob (password) and grant reader"
  req PUT /v2/auth/users/bob -H "$J" -d '{"user":"bob","password":"bobpw"}'
  req PUT /v2/auth/users/bob -H "$J" -d '{"user":"bob","grant":["reader"]}'
  step "create wild (password) with role star (read/write \"*\")"
  req PUT /v2/auth/roles/star -H "$J" -d '{"role":"star","permissions":{"kv":{"read":["*"],"write":["/foo"]}}}'
  req PUT /v2/auth/users/wild -H "$J" -d '{"user":"wild","password":"wildpw"}'
  req PUT /v2/auth/users/wild -H "$J" -d '{"user":"wild","grant":["star"]}'
  step "create admin (password) and grant role root"
  req PUT /v2/auth/users/admin -H "$J" -d '{"user":"admin","password":"adminpw"}'
  req PUT /v2/auth/users/admin -H "$J" -d '{"user":"admin","grant":["root"]}'
  step "GET /v2/auth/users (full list)"
  req GET /v2/auth/users
  step "GET /v2/auth/users/alice"
  req GET /v2/auth/users/alice

  echo; echo "## F. keys used later; auth store not visible via /v2/keys"
  step "create keys /foo/a /foo/b/c /pub/x /exact /private/y /wild1"
  for k in foo/a foo/b/c pub/x exact private/y wild1; do
    req PUT "/v2/keys/$k" -d value=v
  done
  step "GET /v2/keys/?recursive=true (note: no /2 auth data)"
  req GET '/v2/keys/?recursive=true&sorted=true'
  step "GET /v2/keys/2 (the auth store prefix is not reachable)"
  req GET /v2/keys/2

  echo; echo "## G. enable auth"
  step "bogus credentials are ignored while auth is disabled"
  req GET /v2/keys/foo/a -u ghost:bad
  req GET /v2/auth/users/alice -u ghost:bad
  step "HEAD /v2/auth/enable (method not allowed)"
  req HEAD /v2/auth/enable
  step "PUT /v2/auth/enable with bogus creds, auth still disabled => allowed"
  req PUT /v2/auth/enable -u ghost:bad
  step "GET /v2/auth/enable (no creds)"
  req GET /v2/auth/enable
  step "PUT /v2/auth/enable again as root"
  req PUT /v2/auth/enable -u root:rootpw
  step "PUT /v2/auth/enable again, no creds"
  req PUT /v2/auth/enable
  step "GET /v2/auth/roles/guest without creds"
  req GET /v2/auth/roles/guest
  step "GET /v2/auth/roles/guest as root (auto-created guest role)"
  req GET /v2/auth/roles/guest -u root:rootpw
  step "GET /v2/auth/roles as root"
  req GET /v2/auth/roles -u root:rootpw
  step "GET /v2/auth/users as alice (not root)"
  req GET /v2/auth/users -u alice:alicepw
  step "GET /v2/auth/users as root with wrong password"
  req GET /v2/auth/users -u root:bad
  step "GET /v2/auth/users as admin (has role root)"
  req GET /v2/auth/users -u admin:adminpw
  step "GET /v2/auth/enable as alice / bad password"
  req GET /v2/auth/enable -u alice:alicepw
  req GET /v2/auth/enable -u alice:bad
  step "DELETE root user while enabled"
  req DELETE /v2/auth/users/root -u root:rootpw
  step "Authorization header that is not Basic"
  req GET /v2/auth/users -H 'Authorization: Bearer xyz'

  echo; echo "## H. keys with default guest role (/* rw)"
  step "anonymous read/write with default guest"
  req GET /v2/keys/private/y
  req PUT /v2/keys/private/z -d value=g
  req GET '/v2/keys/?recursive=true&sorted=true'
  step "GET /v2/keys without trailing slash: key is \"\" which \"/*\" does not match"
  req GET /v2/keys
  req GET /v2/keys -u root:rootpw
  step "wrong password never falls back to guest"
  req GET /v2/keys/private/y -u alice:bad
  req GET /v2/keys/private/y -u ghost:x

  echo; echo "## I. restrict guest: revoke /*, grant read /pub/*"
  req PUT /v2/auth/roles/guest -u root:rootpw -H "$J" -d '{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}'
  req PUT /v2/auth/roles/guest -u root:rootpw -H "$J" -d '{"role":"guest","grant":{"kv":{"read":["/pub/*"]}}}'
  step "anonymous"
  req GET /v2/keys/pub/x
  req HEAD /v2/keys/pub/x
  req PUT /v2/keys/pub/x -d value=anon
  req GET /v2/keys/pub
  req GET '/v2/keys/pub?recursive=true'
  req GET '/v2/keys/pub/?recursive=true'
  req GET /v2/keys/private/y
  req DELETE /v2/keys/private/y
  req POST /v2/keys/pub -d value=q
  req GET /v2/keys
  req GET /v2/keys/
  step "anonymous with invalid query (parse error precedes auth check)"
  req GET '/v2/keys/private/y?recursive=maybe'
  step "alice (fooer: rw /foo/*)"
  req GET /v2/keys/foo/a -u alice:alicepw
  req PUT /v2/keys/foo/new -u alice:alicepw -d value=1
  req GET /v2/keys/foo -u alice:alicepw
  req GET '/v2/keys/foo?recursive=true' -u alice:alicepw
  req GET '/v2/keys/foo/?recursive=true&sorted=true' -u alice:alicepw
  req GET /v2/keys/pub/x -u alice:alicepw
  req GET /v2/keys/private/y -u alice:alicepw
  req POST /v2/keys/foo/q -u alice:alicepw -d value=inorder
  req DELETE '/v2/keys/foo/b?recursive=true' -u alice:alicepw
  step "bob (reader: read /exact,/pub/*,/wild*)"
  req GET /v2/keys/exact -u bob:bobpw
  req GET '/v2/keys/exact?recursive=true' -u bob:bobpw
  req PUT /v2/keys/exact -u bob:bobpw -d value=2
  req GET /v2/keys/wild1 -u bob:bobpw
  req GET /v2/keys/wild -u bob:bobpw
  req GET '/v2/keys/wild?recursive=true' -u bob:bobpw
  step "wild (star: read \"*\", write /foo exact)"
  req GET '/v2/keys/?recursive=true&sorted=true' -u wild:wildpw
  req GET /v2/keys/private/y -u wild:wildpw
  req PUT /v2/keys/foo -u wild:wildpw -d value=x
  req PUT /v2/keys/foo/a -u wild:wildpw -d value=x
  step "root and admin"
  req GET '/v2/keys/?recursive=true&sorted=true' -u root:rootpw
  req PUT /v2/keys/private/y -u admin:adminpw -d value=admin
  req DELETE /v2/keys/private/y -u root:rootpw

  echo; echo "## J. watch"
  step "anonymous watch on a forbidden key (rejected immediately)"
  req GET '/v2/keys/foo/a?wait=true'
  step "alice watch with waitIndex=1 (returns the first matching event at once)"
  req GET '/v2/keys/foo/a?wait=true&waitIndex=1' -u alice:alicepw
  step "alice recursive watch on /foo/ (times out after 1s; headers only)"
  req GET '/v2/keys/foo/?wait=true&recursive=true' -u alice:alicepw --max-time 1

  echo; echo "## K. other endpoints with auth enabled, no creds"
  step "membership: reads open, changes for root only"
  req GET /v2/members
  req GET /v2/members/leader
  req POST /v2/members -H "$J" -d '{"peerURLs":["http://127.0.0.77:2390"]}'
  req POST /v2/members -u alice:alicepw -H "$J" -d '{"peerURLs":["http://127.0.0.77:2390"]}'
  req GET /v2/machines
  step "stats, version and health stay open"
  req GET /v2/stats/self
  req GET /v2/stats/store
  req GET /v2/stats/leader
  req GET /version
  req GET /health
  step "OPTIONS (CORS preflight) with auth enabled"
  req OPTIONS /v2/keys/private/z
  req OPTIONS /v2/auth/users

  echo; echo "## K2. odd credentials / patterns"
  step "malformed Basic header on /v2/keys (no guest fallback)"
  req GET /v2/keys/pub/x -H 'Authorization: Basic !!!'
  step "empty user name in Basic auth (etcd: handler panics => connection closed, curl exit 52)"
  req GET /v2/keys/pub/x -u ':x'
  step "role with empty-string pattern (etcd: handler panics on match => curl exit 52)"
  req PUT /v2/auth/roles/empty -u root:rootpw -H "$J" -d '{"role":"empty","permissions":{"kv":{"read":[""],"write":[]}}}'
  req PUT /v2/auth/users/eve -u root:rootpw -H "$J" -d '{"user":"eve","password":"evepw","roles":["empty"]}'
  req GET /v2/keys/pub/x -u eve:evepw
  req DELETE /v2/auth/users/eve -u root:rootpw
  req DELETE /v2/auth/roles/empty -u root:rootpw
  step "user with a password containing ':' (Basic splits at the first ':')"
  req PUT /v2/auth/users/colon -u root:rootpw -H "$J" -d '{"user":"colon","password":"a:b"}'
  req PUT /v2/auth/users/colon -u root:rootpw -H "$J" -d '{"user":"colon","grant":["fooer"]}'
  req GET /v2/keys/foo/a -u 'colon:a:b'
  req DELETE /v2/auth/users/colon -u root:rootpw
  step "guest role deleted while auth enabled => anonymous gets 401 everywhere"
  req DELETE /v2/auth/roles/guest -u root:rootpw
  req GET /v2/keys/pub/x
  req PUT /v2/auth/roles/guest -u root:rootpw -H "$J" -d '{"role":"guest","permissions":{"kv":{"read":["/pub/*"],"write":[]}}}'
  req GET /v2/keys/pub/x

  echo; echo "## L. password change, root-role revoke, disable"
  step "change alice's password as root; old password now fails"
  req PUT /v2/auth/users/alice -u root:rootpw -H "$J" -d '{"user":"alice","password":"newpw"}'
  req GET /v2/keys/foo/a -u alice:alicepw
  req GET /v2/keys/foo/a -u alice:newpw
  step "revoke role root from user root (GET still shows root: it is re-attached)"
  req PUT /v2/auth/users/root -u root:rootpw -H "$J" -d '{"user":"root","revoke":["root"]}'
  req GET /v2/auth/users/root -u root:rootpw
  step "disable: no creds, alice, root wrong pw, root"
  req DELETE /v2/auth/enable
  req DELETE /v2/auth/enable -u alice:newpw
  req DELETE /v2/auth/enable -u root:bad
  req DELETE /v2/auth/enable -u root:rootpw
  req GET /v2/auth/enable
  step "after disable: anonymous access to everything, guest role still present"
  req GET /v2/keys/private/z
  req GET /v2/auth/roles/guest
  step "delete root user (allowed when disabled), delete guest role, delete user"
  req DELETE /v2/auth/users/root
  req DELETE /v2/auth/roles/guest
  req DELETE /v2/auth/users/dave
  req GET /v2/auth/users
  req GET /v2/auth/roles

  if [ "${TIMING:-0}" = 1 ]; then
    echo; echo "## M. timing (auth enabled again; mean of 10 requests each, curl time_total)"
    curl -s -o /dev/null -X PUT -H "$J" -d '{"user":"root","password":"rootpw"}' "$EP/v2/auth/users/root"
    curl -s -o /dev/null -X PUT "$EP/v2/auth/enable"
    local who i t tot
    for who in anon root:rootpw root:bad nouser:x; do
      tot=0
      for i in $(seq 10); do
        if [ "$who" = anon ]; then t=$(curl -s -o /dev/null -w '%{time_total}' "$EP/v2/keys/pub/x")
        else t=$(curl -s -o /dev/null -w '%{time_total}' -u "$who" "$EP/v2/keys/pub/x"); fi
        tot=$(awk -v a="$tot" -v b="$t" 'BEGIN{print a+b}')
      done
      echo "$who: $(awk -v a="$tot" 'BEGIN{printf "%.1f", a*100}') ms/request"
    done
    curl -s -o /dev/null -u root:rootpw -X DELETE "$EP/v2/auth/enable"
  fi
}

# ---------------------------------------------------------------- ctl mode
# run DESCRIPTION -- ARGS...   (stdin from $STDIN if set, else /dev/null)
CTL=${CTL:-}
run() {
  local stdin=${STDIN:-}
  N=$((N+1))
  local shown="etcdctl"
  [ -n "$CTL" ] && shown="$CTL"
  local a
  for a in "$@"; do case "$a" in *' '*|'') shown="$shown '$a'";; *) shown="$shown $a";; esac; done
  if [ -n "$stdin" ]; then
    printf '\n### %d.\n$ printf %q | %s\n' "$N" "$stdin" "$shown"
  else
    printf '\n### %d.\n$ %s </dev/null\n' "$N" "$shown"
  fi
  local rc
  if [ -n "$CTL" ]; then
    if [ -n "$stdin" ]; then printf '%s' "$stdin" | $CTL --endpoints "$EP" "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
    else $CTL --endpoints "$EP" "$@" </dev/null >"$TMP/o" 2>"$TMP/e"; rc=$?; fi
  else
    if [ -n "$stdin" ]; then printf '%s' "$stdin" | ETCDCTL_API=2 etcdctl --endpoints "$EP" "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
    else ETCDCTL_API=2 etcdctl --endpoints "$EP" "$@" </dev/null >"$TMP/o" 2>"$TMP/e"; rc=$?; fi
  fi
  echo "--- stdout ($(wc -c <"$TMP/o") bytes):"; norm <"$TMP/o" | sed -n 'l 0'
  echo "--- stderr ($(wc -c <"$TMP/e") bytes):"; norm <"$TMP/e" | sed -n 'l 0'
  echo "--- exit: $rc"
}

ctl_mode() {
  echo "# etcdctl v2 auth probe against $EP  (output shown with sed -n l: \$ = end of line)"
  echo; echo "## auth before root exists"
  run auth enable
  run auth disable
  run auth enable extra-arg
  echo; echo "## users"
  run user list
  run user add root:rootpw
  run user add alice:alicepw
  run user add alice:otherpw
  STDIN=$'bobpw\n' run user add bob
  STDIN='bobpw' run user add bob2
  run user add carol
  STDIN=$'\n' run user add carol
  run user add
  run user add a b
  run user get root
  run user get alice
  run user get nobody
  run user list
  run user list extra
  echo; echo "## roles"
  run role list
  run role add fooer
  run role add fooer
  run role add root
  run role get fooer
  run role get root
  run role get nope
  run role grant fooer --path '/foo/*' --readwrite
  run role grant fooer --path '/bar/*' --read
  run role grant fooer --path '/baz' --write
  run role grant fooer --path '/foo/*' --read
  run role grant fooer --path '/x' --rw
  run role grant fooer --path '/x'
  run role grant fooer --read
  run role grant fooer --path '/a/../b' --read
  run role grant fooer --path 'rel' --read
  run role grant fooer --path '/y' --read --write
  run role grant nope --path '/y' --read
  run role grant root --path '/y' --read
  run role get fooer
  run role revoke fooer --path '/x' --rw
  run role revoke fooer --path '/never' --read
  run role revoke fooer --path '/bar/*' --read
  run role get fooer
  run role add tmp
  run role remove tmp
  run role remove tmp
  run role remove root
  run role list
  echo; echo "## user grant/revoke/passwd/remove"
  run user grant alice --roles fooer
  run user grant alice --roles fooer
  run user grant alice
  run user grant alice --roles a --roles b
  run user revoke alice --roles a,b
  run user revoke alice --roles nope
  run user grant nobody --roles fooer
  run user get alice
  run user revoke alice --roles a
  run user revoke alice --roles b
  run role add r2
  run user grant alice --roles r2
  run user get alice
  run user revoke alice --roles r2
  run user get alice
  run user add col:a:b
  run user get col
  STDIN=$'  sp ace \n' run user add sp
  run user remove col
  run user remove sp
  STDIN=$'newpw\n' run user passwd alice
  run user passwd alice
  STDIN=$'x\n' run user passwd nobody
  run user remove bob2
  run user remove bob2
  run user list
  echo; echo "## enable auth"
  run auth enable
  run auth enable
  run auth enable -u root:rootpw
  run user list
  run -u root:rootpw user list
  run -u root:bad user list
  run -u alice:newpw user list
  run -u nobody:x user list
  run role list
  run -u root:rootpw role list
  run -u root:rootpw role get guest
  run user get alice
  run -u alice:newpw user get alice
  STDIN=$'rootpw\n' run -u root user list
  run --username root:rootpw user get root
  echo; echo "## keys with auth (default guest /* rw, then restricted)"
  run set /foo/a 1
  run -u alice:newpw get /foo/a
  run -u alice:bad get /foo/a
  run -u root:rootpw role revoke guest --path '/*' --readwrite
  run set /foo/b 2
  run get /foo/a
  run ls /
  run -u alice:newpw get /foo/a
  run -u alice:newpw set /foo/c 3
  run -u alice:newpw set /other 3
  run -u alice:newpw ls /foo
  run -u alice:newpw ls --recursive /foo
  run -u root:rootpw ls --recursive /
  run member list
  run cluster-health
  run --endpoints "$UNREACHABLE" user list
  run --endpoints "$UNREACHABLE" --no-sync user list
  run --endpoints "$UNREACHABLE" get /foo/a
  echo; echo "## disable"
  run -u root:rootpw user remove root
  run auth disable
  run -u alice:newpw auth disable
  run -u root:bad auth disable
  run -u root:rootpw auth disable
  run auth disable
  run user remove root
  run user remove alice
  run role remove guest
  run user list
  run role list
}

case "$MODE" in
  http) http_mode ;;
  ctl)  ctl_mode ;;
  *) echo "usage: $0 http|ctl [ENDPOINT]" >&2; exit 2 ;;
esac
