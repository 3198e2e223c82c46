# Sourced by run.sh and test.sh: installs what is missing, skips what is
# there. Nothing here downloads a prebuilt binary or a browser: tools come
# from crates.io and Debian's packages, front-end packages from npm.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PATH="$HOME/.cargo/bin:$PATH"
# Builds are cached outside the clone, so a fresh clone reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sluice/target}"
# Incremental data is for editing loops; here it only fills the disk
# (tens of GB once a few clones have built into the same cache).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Cargo judges a build fresh by the files that build read, and in a shared
# cache those may be another clone's: after building from another tree,
# this tree's sources are marked changed so that they are what gets built.
tree_mark="$CARGO_TARGET_DIR/.sluice-tree"
if [[ "$(cat "$tree_mark" 2>/dev/null)" != "$PWD" ]]; then
  find app frontend server shared style -type f -exec touch {} +
  mkdir -p "$CARGO_TARGET_DIR"
  printf '%s\n' "$PWD" >"$tree_mark"
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "Installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

if [ "${SLUICE_NEED_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then
  apt_install chromium
fi
# PostgreSQL itself: Sluice runs it for the workspaces (initdb and
# postgres from Debian's package; Sluice finds the newest).
if [ "${SLUICE_NEED_POSTGRES:-0}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  && [ ! -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
  apt_install postgresql
fi
# The copied psql commands, and the tests that run them, use Debian's psql.
if [ "${SLUICE_NEED_PSQL:-0}" = 1 ] && [ ! -x /usr/bin/psql ]; then
  apt_install postgresql-client
fi

# The PostgreSQL clients workspaces are checked with: drivers and ORMs
# from PyPI (in a venv beside the build cache) and from npm.
if [ "${SLUICE_NEED_CLIENTS:-0}" = 1 ]; then
  clients_venv="$(dirname "$CARGO_TARGET_DIR")/clients-venv"
  if ! cmp -s clients/python/requirements.txt "$clients_venv/requirements.txt"; then
    say "Installing PostgreSQL clients from PyPI into $clients_venv"
    rm -rf "$clients_venv"
    python3 -m venv "$clients_venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$clients_venv"; }
    "$clients_venv/bin/pip" install --quiet --disable-pip-version-check -r clients/python/requirements.txt
    cp clients/python/requirements.txt "$clients_venv/requirements.txt"
  fi
  export SLUICE_CLIENTS_PYTHON="$clients_venv/bin/python"
  if [ ! -d clients/node/node_modules/postgres ] || [ clients/node/package-lock.json -nt clients/node/node_modules/.package-lock.json ]; then
    say "Installing PostgreSQL clients from npm (clients/node)"
    (cd clients/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# npm packages: Playwright, and binaryen's wasm-opt for release builds.
# (Debian's binaryen 108 rewrites wasm-bindgen's externref table into one the
# browser cannot grow, and the page never hydrates; binaryen 132 does not.)
if [ ! -d end2end/node_modules/binaryen ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "Installing npm packages (end2end)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ -n "${SLUICE_NEED_LINT:-}" ]; then
  installed="$(rustup component list --installed)"
  for component in rustfmt clippy; do
    if ! grep -q "^$component" <<<"$installed"; then
      say "Adding $component"
      rustup component add "$component"
    fi
  done
  # The dependency check of the test command (deny.toml).
  if ! cargo deny --version 2>/dev/null | grep -q '0\.20\.2'; then
    say "Installing cargo-deny 0.20.2"
    env -u CARGO_TARGET_DIR cargo install cargo-deny --version 0.20.2 --locked
  fi
fi

# cargo install builds in a temporary dir of its own, not in our cache.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "Installing cargo-leptos 0.3.10 (0.3.11 needs rustc 1.96)"
  env -u CARGO_TARGET_DIR cargo install cargo-leptos --version 0.3.10 --locked
fi

# The wasm-bindgen CLI must be exactly the version in Cargo.lock.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
  say "Installing wasm-bindgen-cli $wasm_bindgen_version"
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --locked --force
fi

# The site: the server binary and the WASM/JS/CSS it serves.
# `--precompress` writes a brotli and a gzip copy beside each file of the
# site; the server sends those to browsers that accept them.
build_site() {
  say "Building Sluice (release)"
  cargo leptos build --release --split --precompress
}

server_bin() {
  echo "$CARGO_TARGET_DIR/release/sluice"
}

# cargo-leptos writes the site under the target dir.
site_root() {
  echo "$CARGO_TARGET_DIR/site"
}
