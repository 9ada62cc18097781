#!/usr/bin/env bash
# run.sh - build the libFuzzer harness of libswiftloss and fuzz it.
#
# Usage: Tests/fuzz/run.sh [seconds] [--asan-lib]
#   seconds     fuzzing time (default 45: the CI smoke run; any value for a long run, e.g.
#               Tests/fuzz/run.sh 3600)
#   --asan-lib  link against a libswiftloss.so whose Swift code is itself instrumented:
#               AddressSanitizer, and libFuzzer coverage so that the fuzzer is guided by the
#               library's branches too (built here, incrementally, into .build-fuzz:
#                 swift build -c release --product swiftloss --scratch-path .build-fuzz
#                   --sanitize=address
#                   -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
#               about a minute the first time). Default: the release library (or the
#               directory $SWIFTLOSS_LIBDIR).
# Environment: SWIFTLOSS_FUZZ_LARGE=0 leaves out the slow calls above the threading threshold
# (Tests/stress covers those); SWIFTLOSS_FUZZ_VERBOSE=1 prints every call.
#
# Needs .build/release/libswiftloss.so (swift build -c release --product swiftloss) and the
# toolchain's clang (/opt/swift/usr/bin/clang, or $CLANG), which ships libFuzzer and the
# sanitizer runtimes. The harness itself is built with -fsanitize=fuzzer,address,undefined.
#
# It first replays every seed of Tests/fuzz/corpus/ (generated from the articles' examples by
# make_corpus.py) and every reproducer in Tests/fuzz/regressions/, then fuzzes for the given
# time, keeping what it learns in Tests/fuzz/build/corpus/ (not committed). It prints the
# executions per entry point, libFuzzer's final stats and the crashes found (written to
# Tests/fuzz/build/artifacts/), and exits non-zero if any invariant broke.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=45
asan_lib=0
for a in "$@"; do
    case $a in
        --asan-lib) asan_lib=1 ;;
        ''|*[!0-9]*) echo "usage: $0 [seconds] [--asan-lib]" >&2; exit 2 ;;
        *) seconds=$a ;;
    esac
done

CLANG=${CLANG:-/opt/swift/usr/bin/clang}
[[ -x $CLANG ]] || CLANG=$(command -v clang || true)
if [[ -z $CLANG ]]; then echo "run.sh: no clang with libFuzzer (looked for /opt/swift/usr/bin/clang)" >&2; exit 1; fi
export PATH="/opt/swift/usr/bin:$PATH"

build=$here/build
mkdir -p "$build/lib" "$build/corpus" "$build/artifacts"

if ((asan_lib)); then
    # swiftc's own -sanitize=fuzzer coverage is trace-pc-guard, which this libFuzzer rejects;
    # inline 8-bit counters work. Keep these flags fixed for this scratch path: SwiftPM does
    # not always rebuild when only -Xswiftc flags change.
    libdir=$root/.build-fuzz/release
    echo "== build libswiftloss.so with AddressSanitizer and fuzzer coverage (.build-fuzz)"
    (cd "$root" && swift build -c release --product swiftloss --scratch-path .build-fuzz --sanitize=address \
        -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp 2>&1 | tail -1)
else
    libdir=${SWIFTLOSS_LIBDIR:-$root/.build/release}   # SWIFTLOSS_LIBDIR: another build of the library
fi
if [[ ! -f $libdir/libswiftloss.so ]]; then
    echo "run.sh: $libdir/libswiftloss.so not found (swift build -c release --product swiftloss)" >&2
    exit 1
fi
# The library's SONAME is libswiftloss.so.0; SwiftPM names the file libswiftloss.so.
ln -sf "$libdir/libswiftloss.so" "$build/lib/libswiftloss.so.0"

echo "== build the harness ($CLANG -fsanitize=fuzzer,address,undefined)"
ld=()
command -v ld.lld >/dev/null && ld=(-fuse-ld=lld)   # gold works too, with noisy warnings
"$CLANG" "${ld[@]}" -g -O1 -std=c11 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" "$here/fuzz_swiftloss.c" -o "$build/fuzz_swiftloss" \
    -L"$libdir" -lswiftloss -Wl,-rpath,"$build/lib"

[[ -d $here/corpus ]] || python3 "$here/make_corpus.py" "$here/corpus"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0

regressions=()
if [[ -d $here/regressions ]]; then
    mapfile -t regressions < <(find "$here/regressions" -type f ! -name '*.md' | sort)
fi
if ((${#regressions[@]})); then
    echo "== replay ${#regressions[@]} regression inputs (Tests/fuzz/regressions)"
    failed=0
    for f in "${regressions[@]}"; do
        if ! timeout 60 "$build/fuzz_swiftloss" -timeout=10 "$f" > "$build/replay.log" 2>&1; then
            failed=$((failed + 1))
            echo "-- FAILED: $(basename "$f")"
            grep -m4 -E "INVARIANT VIOLATED|call:|SUMMARY|Fatal error|runtime failure|ERROR:" "$build/replay.log" | sed 's/^/     /' || true
        fi
    done
    echo "-- regressions: $((${#regressions[@]} - failed)) passed, $failed failed"
    ((failed == 0)) || status=1
fi

echo "== fuzz for ${seconds}s (seeds: Tests/fuzz/corpus, $(ls "$here/corpus" | wc -l) files)"
rm -f "$build"/artifacts/*
set +e
"$build/fuzz_swiftloss" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/" "$build/corpus" "$here/corpus" > "$build/fuzz.log" 2>&1
rc=$?
set -e
# The per-entry-point table (printed by the harness at exit), libFuzzer's summary lines.
sed -n '/^== executions per entry point/,/^  total/p' "$build/fuzz.log"
grep -E '^(stat::|Done [0-9]+ runs)' "$build/fuzz.log" || true
crashes=$(find "$build/artifacts" -type f | wc -l)
if ((rc != 0 || crashes > 0)); then
    echo "-- fuzzing stopped on a failure (exit $rc); the report:"
    grep -m12 -E "INVARIANT VIOLATED|  call:|SUMMARY|ERROR: libFuzzer|runtime failure|Test unit written" "$build/fuzz.log" | sed 's/^/     /' || true
    echo "   reproduce: $build/fuzz_swiftloss <artifact>   (SWIFTLOSS_FUZZ_VERBOSE=1 prints the call)"
    status=1
fi
echo "-- crashes found: $crashes (artifacts in Tests/fuzz/build/artifacts)"
if ((status)); then echo "fuzz: FAILED"; else echo "fuzz: passed"; fi
exit "$status"
