#!/usr/bin/env bash
# package-check.sh — install the .deb from `make package`, check it, remove it (`make package-check`, as root).
#
# tweetd --version runs without a Swift toolchain's libraries, systemd-analyze
# accepts the installed unit, the tweetd user and the 0640 conffiles exist;
# then dpkg -r and dpkg -P leave no binary, unit, configuration or user behind.
set -euo pipefail
cd "$(dirname "$0")/.."
deb="$(ls -t dist/tweetd_*_"$(dpkg --print-architecture)".deb | head -n1)"
fail() { echo "package-check: $*" >&2; exit 1; }

dpkg -i "$deb" >/dev/null
/usr/bin/tweetd --version
if ldd /usr/bin/tweetd | grep -q 'libswift\|libFoundation'; then fail "the binary links a Swift runtime library"; fi
getent passwd tweetd >/dev/null || fail "no tweetd user"
[[ "$(stat -c '%a %U:%G' /etc/tweetd/tweetd.env)" == "640 root:tweetd" ]] || fail "tweetd.env is not 0640 root:tweetd"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (make deps installs systemd)"
systemd-analyze verify /lib/systemd/system/tweetd.service
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' /lib/systemd/system/tweetd.service || fail "the unit has no ExecReload sending SIGHUP"
echo "systemd-analyze verify: ok"
dpkg -r tweetd >/dev/null
[[ ! -e /usr/bin/tweetd && ! -e /lib/systemd/system/tweetd.service ]] || fail "dpkg -r left files behind"
dpkg -P tweetd >/dev/null
[[ ! -e /etc/tweetd ]] || fail "dpkg -P left /etc/tweetd"
if getent passwd tweetd >/dev/null; then fail "dpkg -P left the tweetd user"; fi
echo "package-check: $deb installs, verifies and removes cleanly"
