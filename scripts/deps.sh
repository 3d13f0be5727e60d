#!/usr/bin/env bash
# Installs the Debian packages creditd needs, only those that are missing.
# `apt-get update` runs once, and only when something has to be installed.
set -euo pipefail
# clang and its runtime libraries (libFuzzer, ASan, UBSan) build the fuzz
# drivers of tests/fuzz.
# cairo and pango (pangocairo) render invoices as PDF with the fonts of
# fonts-liberation2 (DejaVu when it is missing), librsvg draws SVG logos on
# them; poppler-utils (pdftotext, pdfinfo, pdfimages) reads them back in the
# tests.
need=(build-essential pkg-config libsqlite3-dev sqlite3 libpq-dev libmicrohttpd-dev
      libjansson-dev libsodium-dev libcurl4-openssl-dev libcmocka-dev liboath-dev postgresql-15
      nodejs npm clang-format python3 chromium zbar-tools clang libclang-rt-dev
      libcairo2-dev libpango1.0-dev librsvg2-dev fonts-liberation2 fonts-dejavu-core
      poppler-utils)
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
# The test tools from npm, pinned by package-lock.json: the browser tests'
# driver (playwright-core) and the mail tests' SMTP server and parser
# (smtp-server, mailparser). `npm ci` runs when any pinned dev dependency is
# missing or at another version.
npm_deps() {
    local stale
    stale=$(node -e '
        const fs = require("fs");
        const want = JSON.parse(fs.readFileSync("package.json", "utf8")).devDependencies || {};
        for (const [name, version] of Object.entries(want)) {
            let have = "";
            try {
                have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
            } catch { /* not installed */ }
            if (have !== version) console.log(name);
        }')
    if [ -n "$stale" ]; then
        echo "deps: npm ci ($(echo $stale) for the tests)"
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
