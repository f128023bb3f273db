#!/usr/bin/env bash
# package.sh — build dist/tweetd_<version>_<arch>.deb (`make package`).
#
# A release build with the Swift runtime linked statically (--static-swift-stdlib,
# in .build-static so the normal build is untouched), so the target machine needs
# no Swift toolchain. Depends is computed from what the binary links: each shared
# library the binary names (DT_NEEDED) is mapped to its Debian package with dpkg -S,
# at least the version installed here.
# Contents: /usr/bin/tweetd, /etc/tweetd/tweetd.yaml (conffile), /etc/tweetd/tweetd.env
# (conffile, 0640 root:tweetd, for secrets), /lib/systemd/system/tweetd.service,
# maintainer scripts that add a tweetd system user and enable nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}"

"$SWIFT" build -c release --static-swift-stdlib --scratch-path .build-static
binary=.build-static/release/tweetd
version="$("$binary" --version)"
arch="$(dpkg --print-architecture)"

# Debian packages of the shared libraries the binary itself names (DT_NEEDED), resolved by ldd.
depends=()
resolved="$(ldd "$binary")"
while read -r name; do
    library="$(awk -v name="$name" '$1 == name { print $3 }' <<<"$resolved")"
    [[ -n "$library" ]] || library="$(awk -v name="$name" '$1 ~ name { print $1 }' <<<"$resolved" | head -n1)"
    [[ -n "$library" ]] || continue
    package="$(dpkg -S "$library" 2>/dev/null | head -n1 | cut -d: -f1)" || true
    if [[ -z "$package" ]]; then
        # /lib and /usr/lib are the same directory on merged-/usr systems; dpkg knows one of the names.
        package="$(dpkg -S "$(readlink -f "$library")" 2>/dev/null | head -n1 | cut -d: -f1)" || true
    fi
    [[ -n "$package" ]] || { echo "package.sh: no Debian package owns $library" >&2; exit 1; }
    depends+=("$package")
done < <(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')
# At least the versions built against, so the package never installs where the binary cannot run.
depends_line="$(printf '%s\n' "${depends[@]}" | sort -u | while read -r package; do
    printf '%s (>= %s)\n' "$package" "$(dpkg-query -W -f='${Version}' "$package")"
done | paste -sd, - | sed 's/,/, /g')"

root="$(mktemp -d)"
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/bin/tweetd"
strip --strip-unneeded "$root/usr/bin/tweetd"
install -D -m 0640 config/tweetd.yaml "$root/etc/tweetd/tweetd.yaml"
install -D -m 0640 packaging/tweetd.env "$root/etc/tweetd/tweetd.env"
install -D -m 0644 packaging/tweetd.service "$root/lib/systemd/system/tweetd.service"
install -D -m 0644 README.md "$root/usr/share/doc/tweetd/README.md"
mkdir -p "$root/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
printf '/etc/tweetd/tweetd.yaml\n/etc/tweetd/tweetd.env\n' > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<CONTROL
Package: tweetd
Version: $version
Architecture: $arch
Maintainer: tweetd maintainers <tweetd@localhost>
Depends: $depends_line, adduser
Recommends: rabbitmq-server
Section: net
Priority: optional
Installed-Size: $(du -sk "$root" | cut -f1)
Description: tweet analysis consumer daemon for RabbitMQ
 tweetd consumes tweets (JSON) from RabbitMQ priority queues, analyses them
 with a built-in analysis and optional LLM providers under per-provider rate
 limits, and publishes one result or dead letter per tweet, acking only after
 the broker confirmed it.
CONTROL

mkdir -p dist
deb="dist/tweetd_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "built $deb (Depends: $depends_line, adduser)"
