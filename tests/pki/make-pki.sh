#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Generates the test PKI into the folder $1 with certtool, then touches the
# stamp file $2 (optional).
# Keys are made fresh at every build and never committed. See
# tests/ms-test-util.h for the list of files.
set -eu

src=$(cd "$(dirname "$0")" && pwd)
out=$1
stamp=${2:-}
case "$stamp" in
  ""|/*) ;;
  *) stamp=$(pwd)/$stamp ;;
esac
mkdir -p "$out"
cd "$out"

ct () {
  certtool "$@" >/dev/null 2>certtool.log || { cat certtool.log >&2; exit 1; }
}

key () {
  ct --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$1"
}

# Root CA, intermediate CA, and an unknown CA nobody trusts.
key ca-key.pem
ct --generate-self-signed --load-privkey ca-key.pem \
   --template "$src/ca.tmpl" --outfile ca.pem
key intermediate-key.pem
ct --generate-certificate --load-privkey intermediate-key.pem \
   --load-ca-certificate ca.pem --load-ca-privkey ca-key.pem \
   --template "$src/intermediate.tmpl" --outfile intermediate.pem
key unknown-ca-key.pem
ct --generate-self-signed --load-privkey unknown-ca-key.pem \
   --template "$src/unknown-ca.tmpl" --outfile unknown-ca.pem

# Leaves signed by the intermediate, all with the same key.
key leaf-key.pem
leaf () {
  name=$1; tmpl=$2; shift 2
  ct --generate-certificate --load-privkey "${KEY:-leaf-key.pem}" \
     --load-ca-certificate intermediate.pem \
     --load-ca-privkey intermediate-key.pem \
     --template "$src/$tmpl" --outfile "$name-leaf.pem" "$@"
  cat "$name-leaf.pem" intermediate.pem > "$name.pem"
}
leaf good leaf.tmpl
leaf renewed renewed.tmpl
leaf expired expired.tmpl
leaf notyet notyet.tmpl
leaf wrongname wrongname.tmpl
leaf sha1 sha1.tmpl --hash SHA1

ct --generate-privkey --key-type=rsa --bits=1024 --outfile weak-key.pem
KEY=weak-key.pem leaf weak weak.tmpl

# Self-signed localhost, twice with the same key (renewal).
ct --generate-self-signed --load-privkey leaf-key.pem \
   --template "$src/leaf.tmpl" --outfile selfsigned.pem
ct --generate-self-signed --load-privkey leaf-key.pem \
   --template "$src/renewed.tmpl" --outfile selfsigned2.pem

# A localhost leaf from the unknown CA.
key unknown-key.pem
ct --generate-certificate --load-privkey unknown-key.pem \
   --load-ca-certificate unknown-ca.pem --load-ca-privkey unknown-ca-key.pem \
   --template "$src/leaf.tmpl" --outfile unknown-leaf.pem
cat unknown-leaf.pem unknown-ca.pem > unknown.pem

rm -f certtool.log
if [ -n "$stamp" ]; then touch "$stamp"; fi
