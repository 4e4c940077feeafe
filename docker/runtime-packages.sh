#!/bin/sh
# Prints the Debian packages that provide the shared libraries the given binaries load, one
# per line, sorted: the runtime stage of the Dockerfile installs exactly these.
# On merged-/usr systems ldd may name a library under /lib while dpkg registered it under
# /usr/lib (or the reverse), so both spellings are asked. Fails if a library has no package.
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }
libs=$(for bin in "$@"; do ldd "$bin"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
[ -n "$libs" ] || exit 0
spellings=$(for lib in $libs; do
  case "$lib" in
    /usr/*) printf '%s\n%s\n' "$lib" "${lib#/usr}" ;;
    *) printf '%s\n%s\n' "$lib" "/usr$lib" ;;
  esac
done)
# One dpkg query for all of them: lines "package[:arch][, package…]: /path".
# shellcheck disable=SC2086 # word splitting of the path list is intended
owners=$(dpkg-query -S $spellings 2>/dev/null || true)
for lib in $libs; do
  if ! printf '%s\n' "$owners" | grep -q -e ": $lib\$" -e ": /usr$lib\$" -e ": ${lib#/usr}\$"; then
    echo "runtime-packages: no Debian package provides $lib" >&2
    exit 1
  fi
done
printf '%s\n' "$owners" | sed 's/: .*//; s/,.*//; s/:.*//' | sort -u
