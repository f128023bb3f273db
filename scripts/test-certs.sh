#!/usr/bin/env bash
# test-certs.sh DIR — a throwaway PKI for the TLS tests, made fresh with openssl on every run:
#   DIR/ca.pem, ca.key              a test CA
#   DIR/server.pem, server.key      a server certificate for DNS:localhost only, signed by that CA
#                                   (so 127.0.0.1 is a host name it does not carry)
#   DIR/other-ca.pem, other-ca.key  an unrelated CA, which must not verify the server
# Valid for two days; nothing here is a secret worth keeping.
set -euo pipefail
dir="${1:?usage: scripts/test-certs.sh DIR}"
command -v openssl >/dev/null 2>&1 || { echo "test-certs: openssl is not installed (make deps)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "test-certs: failed: $*" >&2; "$@"; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=tweetd test CA"
quiet openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -out server.pem -days 2 -extfile server.ext
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=another CA"
rm -f server.csr server.ext
# The broker runs as its own user and must read the server key.
chmod 0644 ./*.pem ./*.key
echo "test-certs: CA, server (localhost) and unrelated CA in $dir"
