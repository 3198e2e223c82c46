#!/usr/bin/env bash
# Benchmarks: figures printed side by side from one run. Not part of the
# test command. Builds the release site first.
SLUICE_NEED_BROWSER=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

command -v wrk >/dev/null || apt_install wrk

build_site

# Every figure that has a goal is also written here, and printed in one
# table at the end.
SLUICE_BENCH_GOALS="$(mktemp)"
export SLUICE_BENCH_GOALS

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

say "The framework's floor: the smallest Leptos page that does what User Profile's first load needs"
# Built from a copy beside Sluice's Cargo.lock, so both use the same
# versions, with the same profile, wasm-bindgen and wasm-opt as the site.
floor="$(mktemp -d)"
cp -r end2end/bench/floor/. "$floor"
cp Cargo.lock "$floor/"
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/floor" cargo build -q --release --target wasm32-unknown-unknown --manifest-path "$floor/Cargo.toml"
wasm-bindgen --target web --no-typescript --out-dir "$floor/pkg" "$CARGO_TARGET_DIR/floor/wasm32-unknown-unknown/release/floor.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$floor/pkg/floor_bg.wasm" -o "$floor/pkg/floor_bg.wasm"
node end2end/bench/floor-size.mjs "$floor/pkg" "$(site_root)/pkg"
rm -rf "$floor"

say "Audit Log: a page by keyset cursor against OFFSET, a million records"
cargo bench -q -p server --bench audit_log

say "Server: SSR and API throughput against their ceilings, memory, Audit Log over HTTP, cold start"
cargo bench -q -p server --bench throughput

say "Sluice's own PostgreSQL: start-up and idle memory"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
cargo bench -q -p server --bench local_postgres

say "Engines: the same requests on SQLite and on PostgreSQL on this machine"
cargo bench -q -p server --bench engines

say "Goals: each figure against its floor, measured in this run"
node end2end/bench/goals-table.mjs "$SLUICE_BENCH_GOALS"
rm -f "$SLUICE_BENCH_GOALS"
