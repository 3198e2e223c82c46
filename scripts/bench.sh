#!/usr/bin/env bash
# Benchmarks: figures printed side by side from one run. Not part of the
# test command. Builds the release site first.
SLUICE_NEED_BROWSER=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

command -v wrk >/dev/null || apt_install wrk

build_site

# The browser benchmarks run first: `cargo bench` rebuilds the release
# server binary without cargo-leptos's settings (the site's next build
# rebuilds it with them).
say "In the browser: first load of User Profile, and the avatar crop (WASM against canvas)"
(
  cd end2end
  SLUICE_SERVER_BIN="$(server_bin)" LEPTOS_SITE_ROOT="$(site_root)" \
    npx playwright test --config playwright.bench.config.ts --reporter=list
)

say "What the browser module is made of (twiggy's size profile of the linked module)"
command -v twiggy >/dev/null || env -u CARGO_TARGET_DIR cargo install twiggy --version 0.8.0 --locked
profile="$(mktemp)"
twiggy top -n 1000000 -f csv "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/wasm-release/frontend.wasm" >"$profile"
node end2end/bench/wasm-profile.mjs "$profile"
rm -f "$profile"

say "Audit Log: a page by keyset cursor against OFFSET, a million records"
cargo bench -q -p server --bench audit_log

say "Server: SSR and API throughput against their ceilings, memory, Audit Log over HTTP, cold start"
cargo bench -q -p server --bench throughput

say "Workspace endpoint: SELECT 1 and connection set-up with pgbench, against PostgreSQL on this machine"
ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || apt_install postgresql
cargo bench -q -p server --bench endpoint
