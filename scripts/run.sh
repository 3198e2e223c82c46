#!/usr/bin/env bash
# Runs Sluice on the embedded default (SQLite in ./data, the workspaces on
# the PostgreSQL it runs itself in ./data/postgres) with a demo account,
# and prints the URL, where the workspaces' PostgreSQL listens and a
# one-time sign-in link.
SLUICE_NEED_POSTGRES=1
SLUICE_NEED_PSQL=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
build_site
say "Starting Sluice"
export SLUICE_DATA_DIR="${SLUICE_DATA_DIR:-$PWD/data}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$(site_root)}"
# The release build: no development live-reload socket in the pages' policy.
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
# Passkeys (WebAuthn) need a name for the site, not an IP address.
export SLUICE_PUBLIC_URL="${SLUICE_PUBLIC_URL:-http://localhost:3000}"
exec "$(server_bin)" --demo
