#!/usr/bin/env bash
# Runs schemathesis (from PyPI, in a venv under the build cache) against a
# fresh release server with the Pipes API v0 subset: every implemented
# operation, fuzzed; no answer may be a 5xx or break the spec's schemas.
# Called by scripts/test.sh after the release build; usable on its own.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

venv="$(dirname "$CARGO_TARGET_DIR")/venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q 'version 4\.'; then
  say "Installing schemathesis 4 (PyPI) into $venv"
  command -v python3 >/dev/null || apt_install python3
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

[ -x "$(server_bin)" ] || build_site

port="${SLUICE_CONFORMANCE_PORT:-3200}"
base="http://127.0.0.1:$port"
data="$(mktemp -d)"
log="$data/server.log"
# Sluice's own PostgreSQL on a free port, as workspaces are made and deleted.
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SLUICE_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$(site_root)" \
  LEPTOS_ENV=PROD RUST_LOG=info SLUICE_DB_LISTEN="127.0.0.1:$pg_port" "$(server_bin)" --demo > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  grep -q 'confirm?t=' "$log" && break
  sleep 0.2
done
link_secret="$(grep -o 'confirm?t=[A-Za-z0-9_-]*' "$log" | head -1 | cut -d= -f2)"
[ -n "$link_secret" ] || { cat "$log"; echo "The server did not start." >&2; exit 1; }

# Sign in as the demo account the way a browser without JavaScript does,
# then make an API token through the page's server function.
cookie="$(curl -s -o /dev/null -D - -X POST "$base/sfn/confirm_sign_in" \
  -H 'accept: text/html' -H 'sec-fetch-site: same-origin' --data "t=$link_secret" |
  grep -io 'sluice_session=[^;]*' | head -1)"
[ -n "$cookie" ] || { echo "Could not sign in as the demo account." >&2; exit 1; }
new_token() {
  curl -s -X POST "$base/sfn/create_token" -H 'sec-fetch-site: same-origin' \
    -H "cookie: $cookie" --data 'handle=demo' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])'
}
# Two tokens (the most a person may hold): the operations that can end a
# token (update, delete, resetting authentication) run last, on the second.
token="$(new_token)"
spare="$(new_token)"
[ -n "$token" ] && [ -n "$spare" ] || { echo "Could not make API tokens." >&2; exit 1; }

say "API conformance: schemathesis against the Pipes API v0 subset"
implemented='^/(actor|login/token(/\{temporary_token_request_id\})?|user/\{user_handle\}(/(audit_log|avatar|password|preferences|token(/\{token_id\})?|billing/(subscription|invoice)))?)$'
run() {
  local checks="$1"
  shift
  SLUICE_API_TOKEN="${use_token:-$token}" SLUICE_API_HANDLE=demo "$venv/bin/schemathesis" \
    --config-file "$PWD/scripts/schemathesis.toml" run "${schema:-$PWD/docs/api/pipes-api-v0-user.yaml}" \
    --url "$base/api/v0" --checks "$checks" \
    --phases examples,coverage,fuzzing --workers 1 --rate-limit auto "$@"
}
all=not_a_server_error,response_schema_conformance,content_type_conformance
killers=(--exclude-operation-id user_update --exclude-operation-id user_delete
  --exclude-operation-id userToken_update --exclude-operation-id userToken_delete)
run "$all" --include-path-regex "$implemented" "${killers[@]}"
# The spec types a workspace's desired_state, instance_type and state, and
# a usage record's billing_mode, dimension, metric and unit, as an object
# that is also one of a list of strings (allOf), which no value can be:
# those answers are held to everything but their schemas (Rust tests check
# their required fields).
run not_a_server_error,content_type_conformance --include-path-regex '^/user/\{user_handle\}/(usage|workspace(/\{workspace_handle\})?)$'
# Sluice's own operations beyond the spec (`x-sluice-extension`), from the
# document the server serves: listing and ending sessions, and creating a
# token with a name, an expiry and an access level.
schema="$base/api/v0/openapi.json" run "$all" --include-operation-id userSession_list \
  --include-operation-id userSession_delete --include-operation-id userToken_create
# Then what can end a token: each may leave the rest of its run with a 401.
use_token="$spare"
run "$all" --include-operation-id userToken_update
run "$all" --include-operation-id userToken_delete
run "$all" --include-operation-id user_update
# Last, deleting the account itself (its handle may have changed above).
run "$all" --include-operation-id user_delete

if grep -Eq 'panicked|ERROR' "$log"; then
  grep -E 'panicked|ERROR' "$log" | head -5
  echo "The server logged an error during the run." >&2
  exit 1
fi
say "API conformance passed"
