#!/usr/bin/env bash
# run.sh - concurrency stress test and limits of libswiftloss's C entry points.
#
# Usage: Tests/stress/run.sh [workers] [rounds]      (default 8 workers, 10 rounds; ~30 s)
#
#  1. stress.c, plain (cc -O2): `workers` threads call every entry point (f32/f64, forward,
#     backward, fused, in place; below and above the threading threshold) on shared inputs
#     while another thread changes swiftloss_set_num_threads; every result is compared bit for
#     bit with a single-threaded run.
#  2. stress.c built with -fsanitize=thread (the toolchain's clang), two rounds: against
#     .build-tsan/release/libswiftloss.so (the library's Swift code instrumented too) when
#     Tests/stress/sanitizers.sh has built it, else against the release library (only the
#     test's own accesses and the library's thread starts/joins are then seen by TSan).
#  3. limits.c: sizes that overflow, N*C beyond memory, zero sizes beside huge ones, one class,
#     empty batches, all targets ignored, zero/negative weights, subnormal and huge values,
#     odd targets, reductions, smoothing and thread counts; each case in a child process, so
#     that a trap or a hang is reported as such.
# Needs .build/release/libswiftloss.so (swift build -c release --product swiftloss).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
workers=${1:-8}
rounds=${2:-10}
CLANG=${CLANG:-/opt/swift/usr/bin/clang}
[[ -x $CLANG ]] || CLANG=$(command -v clang || true)
libdir=${SWIFTLOSS_LIBDIR:-$root/.build/release}
if [[ ! -f $libdir/libswiftloss.so ]]; then
    echo "run.sh: $libdir/libswiftloss.so not found (swift build -c release --product swiftloss)" >&2
    exit 1
fi

build=$here/build
mkdir -p "$build/lib" "$build/lib-tsan"
ln -sf "$libdir/libswiftloss.so" "$build/lib/libswiftloss.so.0"   # SONAME libswiftloss.so.0
status=0
run() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then echo "-- $name: ok"; else echo "-- $name: FAILED"; status=1; fi
}

"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -pthread -I"$root/include" "$here/stress.c" -o "$build/stress" \
    -L"$libdir" -lswiftloss -Wl,-rpath,"$build/lib"
"${CC:-cc}" -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -Wall -Wextra -Werror -I"$root/include" "$here/limits.c" \
    -o "$build/limits" -L"$libdir" -lswiftloss -lm -Wl,-rpath,"$build/lib"

run "stress: $workers threads x $rounds rounds" env -u LD_LIBRARY_PATH "$build/stress" "$workers" "$rounds"

if [[ -n $CLANG ]]; then
    tsan_lib=$libdir
    what="release library (uninstrumented)"
    # An instrumented build (Tests/stress/sanitizers.sh makes one) only when it is not older
    # than the release library: a stale one lacks the newer entry points.
    if [[ -f $root/.build-tsan/release/libswiftloss.so && ! $root/.build-tsan/release/libswiftloss.so -ot $libdir/libswiftloss.so ]]; then
        tsan_lib=$root/.build-tsan/release
        what="library built with --sanitize=thread"
    fi
    ln -sf "$tsan_lib/libswiftloss.so" "$build/lib-tsan/libswiftloss.so.0"
    # The toolchain's TSan runtime has libdispatch interceptors: it needs libdispatch and
    # BlocksRuntime, which the toolchain ships.
    swiftlib=$(dirname "$CLANG")/../lib/swift/linux
    "$CLANG" -g -O1 -std=c11 -Wall -Wextra -Werror -fsanitize=thread -pthread -I"$root/include" "$here/stress.c" \
        -o "$build/stress_tsan" -L"$tsan_lib" -lswiftloss -Wl,-rpath,"$build/lib-tsan" \
        -L"$swiftlib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swiftlib"
    # One warm-up call is made before the threads start (stress.c's reference run): the
    # first use of the library's lazily initialised globals goes through swift_once in the
    # uninstrumented Swift runtime, which TSan cannot see.
    run "stress under ThreadSanitizer ($what): $workers threads x 2 rounds" \
        env -u LD_LIBRARY_PATH TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$build/stress_tsan" "$workers" 2
else
    echo "== stress under ThreadSanitizer: skipped (no clang)"
fi

run "limits" env -u LD_LIBRARY_PATH "$build/limits"

if ((status)); then echo "stress: FAILED"; else echo "stress: all passed"; fi
exit "$status"
