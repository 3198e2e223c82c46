#!/usr/bin/env bash
# Runs every test: the Rust suites (unit and integration), then the
# Playwright journeys in Debian's Chromium against the release build.
SLUICE_NEED_BROWSER=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

say "Rust tests"
cargo test --locked -p shared -p app -p server --features app/ssr

build_site

say "Browser journeys (Playwright, Debian's Chromium)"
(
  cd end2end
  SLUICE_SERVER_BIN="$(server_bin)" LEPTOS_SITE_ROOT="$(site_root)" npx playwright test
)
say "All tests passed"
