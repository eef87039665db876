#!/usr/bin/env bash
# Builds the Temporal CLI (whose `temporal server start-dev` is a real Temporal server with the Web
# UI and SQLite persistence) from Go modules, once per version, into a cache; prints its path.
#
# The version is pinned by tools/temporal/go.mod and go.sum (a `tool` directive). Only the Go
# module proxy is needed. Running it again with the binary present does nothing but print the path.
#   DINOJ_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/dinoj)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tooldir="$root/tools/temporal"
module=github.com/temporalio/cli

version="$(awk -v m="$module" '$1 == m { print $2 }' "$tooldir/go.mod")"
if [ -z "$version" ]; then
  echo "build-temporal-server: $tooldir/go.mod does not require $module; restore it from git." >&2
  exit 1
fi
cache="${DINOJ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dinoj}"
out="$cache/temporal/$version/temporal"
if [ -x "$out" ]; then
  echo "$out"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "build-temporal-server: no 'go' on PATH; install Go 1.25 or newer (or put the Temporal CLI at $out)." >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
tmp="$(mktemp "$out.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
echo "build-temporal-server: building $module $version (a few minutes on 2 cores)..." >&2
start=$SECONDS
# -mod=mod: go.sum is checked, go.mod may be completed; CGO off: the SQLite driver is pure Go.
(cd "$tooldir" && GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" CGO_ENABLED=0 nice -n 10 \
  go build -trimpath -ldflags "-s -w -X $module/temporalcli.Version=${version#v}" \
  -o "$tmp" "$module/cmd/temporal")
chmod 755 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "build-temporal-server: built $out in $((SECONDS - start)) s" >&2
echo "$out"
