#!/usr/bin/env bash
# Installs the Debian packages creditd needs, only those that are missing.
# `apt-get update` runs once, and only when something has to be installed.
set -euo pipefail
need=(build-essential pkg-config libsqlite3-dev sqlite3 libpq-dev libmicrohttpd-dev
      libjansson-dev libsodium-dev libcurl4-openssl-dev libcmocka-dev postgresql-15
      nodejs npm clang-format python3 chromium)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian's packages on some machines: a working
# node and npm on PATH is as good as the packages.
if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
# The browser tests' driver comes from npm, pinned by package-lock.json.
npm_deps() {
    local want have
    want=$(sed -n 's/.*"playwright-core": "\([^"]*\)".*/\1/p' package.json)
    have=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' node_modules/playwright-core/package.json 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        echo "deps: npm ci (playwright-core for the browser tests)"
        npm ci --no-audit --no-fund --loglevel=error
    fi
}
if [ ${#missing[@]} -eq 0 ]; then
    npm_deps
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_deps
