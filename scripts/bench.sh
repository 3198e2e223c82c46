#!/usr/bin/env bash
# Benchmarks: figures printed side by side from one run. Not part of the
# test command. Builds the release site first.
SLUICE_NEED_BROWSER=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

build_site

say "Avatar crop: WASM against the browser's canvas"
(
  cd end2end
  SLUICE_SERVER_BIN="$(server_bin)" LEPTOS_SITE_ROOT="$(site_root)" \
    npx playwright test --config playwright.bench.config.ts --reporter=list
)

say "Audit Log: a page by keyset cursor against OFFSET, a million records"
cargo bench -q -p server --bench audit_log
