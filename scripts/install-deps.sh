#!/usr/bin/env bash
# install-deps.sh — install what tweetd needs to build, test and demo on Debian 12.
#
# Checks each package with dpkg-query and installs only the missing ones
# (one `apt-get update`, then `apt-get install -y --no-install-recommends`),
# as root or through sudo. Quiet and idempotent when everything is present.
# The Swift toolchain is not a Debian package: it must already be installed
# (`swift` on PATH, or /opt/swift/usr/bin/swift); this script only checks it.
set -euo pipefail

# chromium and a font: the dashboard test renders the page headless.
PACKAGES=(librabbitmq-dev rabbitmq-server python3 python3-pika pkg-config procps openssl binutils systemd adduser chromium fonts-dejavu-core)
SWIFT_FALLBACK=/opt/swift/usr/bin/swift

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

installed() {
    local status
    status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
    [[ "$status" == installed ]]
}

command -v dpkg-query >/dev/null 2>&1 \
    || die "dpkg-query not found: this script supports Debian/Ubuntu only; install ${PACKAGES[*]} by hand"

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    if [[ "$(id -u)" -eq 0 ]]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        die "missing packages: ${missing[*]} — run as root (or install sudo)"
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    say "installing: ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || die "apt-get update failed"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"
    for pkg in "${missing[@]}"; do
        installed "$pkg" || die "package $pkg is still not installed"
    done
    say "installed: ${missing[*]}"
fi

# Swift toolchain (not packaged by Debian).
if command -v swift >/dev/null 2>&1; then
    swift_bin="$(command -v swift)"
elif [[ -x "$SWIFT_FALLBACK" ]]; then
    swift_bin="$SWIFT_FALLBACK"
else
    die "Swift toolchain not found: put 'swift' on PATH or install it under /opt/swift (https://www.swift.org/install/linux/)"
fi
"$swift_bin" --version >/dev/null 2>&1 || die "$swift_bin does not run ('$swift_bin --version' failed)"
