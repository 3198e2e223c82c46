#!/usr/bin/env bash
# Runs every test: the Rust suites (unit and integration), then the
# Playwright journeys in Debian's Chromium against the release build.
SLUICE_NEED_BROWSER=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

say "Rust tests"
cargo test --locked -p shared -p app -p server --features app/ssr

build_site

say "Browser journeys (Playwright, Debian's Chromium)"
log="$(mktemp)"
(
  cd end2end
  SLUICE_SERVER_BIN="$(server_bin)" LEPTOS_SITE_ROOT="$(site_root)" npx playwright test 2>&1 | tee "$log"
)

# The journeys signed people up and in; the server's log (the [WebServer]
# lines) must hold no e-mail address and no sign-in link secret.
say "Checking the server log for secrets"
if grep '^\[WebServer\]' "$log" | grep -Eq '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}|confirm\?t=|sluice_session='; then
  grep '^\[WebServer\]' "$log" | grep -E '@|confirm\?t=|sluice_session=' | head -5
  echo "The server log holds personal data or a secret." >&2
  exit 1
fi
bash "$(dirname "${BASH_SOURCE[0]}")/api-conformance.sh"

say "All tests passed"
