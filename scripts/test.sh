#!/usr/bin/env bash
# Runs every test: the Rust suites (unit and integration), then the
# Playwright journeys in Debian's Chromium against the release build.
SLUICE_NEED_BROWSER=1
SLUICE_NEED_PSQL=1
SLUICE_NEED_POSTGRES=1
SLUICE_NEED_CLIENTS=1
SLUICE_NEED_LINT=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"

say "Formatting (cargo fmt --check)"
cargo fmt --all --check

# Both builds, each with the features it really has: the server's (ssr)
# and the browser's (hydrate, for wasm32).
say "Lints (cargo clippy, server and browser builds)"
cargo clippy --locked -p shared -p app -p server --all-targets --features app/ssr -- -D warnings
RUSTFLAGS="--cfg erase_components" cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

# Licences, bans and where crates come from (deny.toml). Not advisories:
# their database lives on GitHub, out of these machines' reach.
say "Dependencies (cargo deny: bans, licenses, sources)"
cargo deny --log-level error check bans licenses sources

# A throwaway PostgreSQL: the second engine of the integration suite, and
# the workspace cluster of both runs.
start_test_postgres

say "Rust tests"
# Uncaptured, so that what the renderer warns about reaches the file
# searched below (the suites print little else). Sluice's own data on
# SQLite here: the PostgreSQL run follows.
rust_log="$(mktemp)"
env -u SLUICE_TEST_POSTGRES_URL cargo test --locked -p shared -p app -p server --features app/ssr -- --nocapture 2>&1 \
  | tee "$rust_log"

# A resource read outside <Suspense>/<Transition> blocks a server thread
# while the data is being written: the page can hang for good.
say "Checking that pages read data only inside <Suspense>/<Transition>"
if grep -m3 'you are reading a resource' "$rust_log"; then
  echo "A page reads a resource outside <Suspense>/<Transition> (above); await it inside one." >&2
  exit 1
fi
rm -f "$rust_log"

# The same integration suite on the second engine: every server it starts
# gets a PostgreSQL database of its own (and the multi-instance test two
# server processes on one).
say "Rust integration tests on PostgreSQL"
cargo test --locked -p server --features app/ssr --test it

build_site

say "Browser journeys (Playwright, Debian's Chromium)"
if ! (cd end2end && SLUICE_SERVER_BIN="$(server_bin)" LEPTOS_SITE_ROOT="$(site_root)" npx playwright test); then
  echo "The journeys failed; the end of the server's log:" >&2
  tail -n 60 end2end/.server.log >&2 || true
  exit 1
fi

# The journeys signed people up and in; the server's log (its stderr, whole)
# must hold no e-mail address, no sign-in link secret, no cookie and no CLI
# login secret. The demo link the
# server prints on stdout for the person who started it is not the log.
say "Checking the server log for secrets"
server_log=end2end/.server.log
if ! grep -q 'finished processing request' "$server_log"; then
  echo "The server log ($server_log) holds no requests: nothing was checked." >&2
  exit 1
fi
# A CLI login request is addressed by spttr_{id}_{secret}: the journeys
# asked for some, so the log must show them, with the secret cut.
if ! grep -q 'login/token/spttr_[0-9a-v]*_\[redacted\]' "$server_log"; then
  echo "The server log ($server_log) holds no CLI login request: nothing was checked." >&2
  exit 1
fi
secrets='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}|confirm\?t=|sluice_session=|sluice_known=|spttr_[0-9a-v]{20}_[0-9a-z]{26}'
if grep -Eq "$secrets" "$server_log"; then
  grep -Eo "$secrets" "$server_log" | head -5
  echo "The server log holds personal data or a secret." >&2
  exit 1
fi
bash "$(dirname "${BASH_SOURCE[0]}")/api-conformance.sh"

say "All tests passed"
