#!/usr/bin/env bash
# check_exports.sh - check libswiftloss.so's dynamic interface against include/swiftloss.h.
#
# Usage: Tests/c/check_exports.sh [path/to/libswiftloss.so or its directory]
#        (default .build/release/libswiftloss.so, relative to the repository root)
#
# Fails (exit 1) unless:
#   - the global defined dynamic symbols (nm -D --defined-only, uppercase type letter) are
#     exactly the functions the header declares;
#   - the SONAME is libswiftloss.so.0;
#   - ldd lists nothing beyond libc, libm, libstdc++, libgcc_s, the loader and linux-vdso;
#   - there is no DT_NEEDED on any libswift* (the Swift runtime is linked in statically).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

lib=${1:-$root/.build/release/libswiftloss.so}
[[ -d $lib ]] && lib=$lib/libswiftloss.so
if [[ ! -f $lib ]]; then
    echo "check_exports: $lib not found" >&2
    exit 1
fi
header=$root/include/swiftloss.h

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "check_exports: FAILED: $*"; failed=1; }

# Functions declared in the header: every swiftloss_*( outside comments (the preprocessor
# drops the comments).
"${CC:-cc}" -E -P -x c "$header" | grep -o 'swiftloss_[a-z0-9_]*(' | tr -d '(' |
    sort -u >"$tmp/header"
# Global defined dynamic symbols: type letter uppercase; drop any @VERSION suffix.
nm -D --defined-only "$lib" | awk '$(NF-1) ~ /^[A-Z]$/ { print $NF }' | sed 's/@.*//' |
    sort -u >"$tmp/exports"

if [[ ! -s $tmp/header ]]; then
    fail "no function declarations found in $header"
fi
if ! diff -u --label header "$tmp/header" --label "$(basename "$lib")" "$tmp/exports" \
        >"$tmp/diff"; then
    fail "exported symbols differ from the header (- only in the header, + only in the .so):"
    sed -n '3,$p' "$tmp/diff" | grep '^[-+]'
fi

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[[ $soname == libswiftloss.so.0 ]] || fail "SONAME is '${soname}', expected libswiftloss.so.0"

needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
if grep -q '^libswift' <<<"$needed"; then
    fail "DT_NEEDED on the Swift runtime: $(grep '^libswift' <<<"$needed" | tr '\n' ' ')"
fi

allowed='^(linux-vdso|libc|libm|libstdc\+\+|libgcc_s|ld-linux[-a-z0-9_.]*)\.so\.[0-9]+$'
ldd_out=$(ldd "$lib" 2>&1) || fail "ldd $lib failed: $ldd_out"
while read -r name _; do
    [[ -z $name || $name == statically ]] && continue
    base=$(basename "$name")
    [[ $base =~ $allowed ]] || fail "ldd lists an unexpected dependency: $name"
done <<<"$ldd_out"
if grep -q 'not found' <<<"$ldd_out"; then
    fail "ldd: a dependency is not found"
fi

n=$(wc -l <"$tmp/header")
if ((failed)); then
    echo "check_exports: FAILED ($lib)"
    exit 1
fi
echo "check_exports: OK ($n functions exported, SONAME $soname, no libswift* dependency)"
