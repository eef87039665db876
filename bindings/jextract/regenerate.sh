#!/usr/bin/env bash
# Regenerates the oneDNN and OpenMP bindings in bindings/src/main/java/org/dinoj/bindings/dnnl
# with jextract (https://jdk.java.net/jextract/, for JDK 25), from the headers inside the
# org.bytedeco:dnnl Maven jar, so they match the bundled libdnnl.so.3 exactly.
#
#   bindings/jextract/regenerate.sh                    regenerate (needs jextract on PATH or $JEXTRACT)
#   bindings/jextract/regenerate.sh --check-constants  compile check_constants.c with gcc against the
#                                                      headers and compare every constant in dnnl_h.java
#
# The generated classes load symbols through org.dinoj.nativelib.DnnlLibrary (the extracted
# bundled library or DINOJ_DNNL_LIBRARY) instead of jextract's System.mapLibraryName lookup;
# this script rewrites that one line after generation.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
m2="${M2_REPO:-$HOME/.m2/repository}"
version="3.8.1-1.5.12"
jar="$m2/org/bytedeco/dnnl/$version/dnnl-$version-linux-x86_64.jar"
out="$here/../src/main/java/org/dinoj/bindings/dnnl"

if [[ ! -f "$jar" ]]; then
    echo "regenerate.sh: $jar is missing: run 'mvn -pl native dependency:resolve' first" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unzip -q "$jar" 'org/bytedeco/dnnl/linux-x86_64/include/*' -d "$work"
include="$work/org/bytedeco/dnnl/linux-x86_64/include"

if [[ "${1:-}" == "--check-constants" ]]; then
    gcc -I"$include" -o "$work/check_constants" "$here/check_constants.c"
    "$work/check_constants" > "$work/expected.txt"
    sed -n 's/^ *private static final int \([A-Za-z0-9_]*\) = (int) \(-\{0,1\}[0-9]*\)L;$/\1 \2/p' \
        "$out/dnnl_h.java" > "$work/bound.txt"
    if diff <(sort "$work/expected.txt") <(sort "$work/bound.txt"); then
        echo "regenerate.sh: all $(wc -l < "$work/expected.txt") constants in dnnl_h.java match the 3.8.1 headers"
    else
        echo "regenerate.sh: constants differ (< headers, > dnnl_h.java)" >&2
        exit 1
    fi
    exit 0
fi

jextract="${JEXTRACT:-jextract}"
if ! command -v "$jextract" > /dev/null; then
    echo "regenerate.sh: jextract not found: install it and put it on PATH, or set JEXTRACT=/path/to/jextract" >&2
    exit 1
fi

cd "$here"
"$jextract" @dnnl.args -I "$include" dinoj_dnnl.h
"$jextract" @omp.args "$(gcc -print-file-name=include)/omp.h"

# Symbols come from the resolved library, not from a system-wide libdnnl.so / libgomp.so.
perl -0pi -e 's/SymbolLookup\.libraryLookup\(System\.mapLibraryName\("dnnl"\), LIBRARY_ARENA\)[^;]*;/org.dinoj.nativelib.DnnlLibrary.load().dnnl();/' "$out/dnnl_h.java"
perl -0pi -e 's/SymbolLookup\.libraryLookup\(System\.mapLibraryName\("gomp"\), LIBRARY_ARENA\)[^;]*;/org.dinoj.nativelib.DnnlLibrary.load().gomp();/' "$out/omp_h.java"
echo "regenerate.sh: bindings written to $out"
