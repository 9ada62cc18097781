#!/usr/bin/env bash
# sanitizers.sh - the Swift and C tests under AddressSanitizer, UndefinedBehaviorSanitizer and
# ThreadSanitizer, with the toolchain at /opt/swift (or on PATH). About 6 minutes from clean on
# 2 cores, much less when the .build-* directories are kept (all incremental).
#
# Usage: Tests/stress/sanitizers.sh
#
#  (--disable-xctest: the package has Swift Testing tests only, and the toolchain's XCTest
#  runner, which swift test otherwise also starts, leaks 368 bytes that LeakSanitizer reports.)
#  swift test, AddressSanitizer   release build with -enable-testing (@testable), .build-test-asan
#  swift test, UBSan              debug build: Swift's own overflow / bounds / exclusivity checks,
#                                 which are on in debug, plus clang's UBSan (trap mode: no
#                                 runtime needed) on the package's C code (CCPUFeatures, the
#                                 swift-numerics shims), .build-test-ubsan.
#                                 `swift test --sanitize=undefined` itself cannot run: swiftc has
#                                 no UBSan ("error: unsupported option '-sanitize=undefined' for
#                                 target 'x86_64-unknown-linux-gnu'"); this step checks that it
#                                 still fails that way.
#  swift test, ThreadSanitizer    release build with -enable-testing, .build-test-tsan (the
#                                 concurrency suite: 8 concurrent callers, thread count changing)
#  libswiftloss.so, ASan / TSan   swift build -c release --product swiftloss --sanitize=address
#                                 (.build-asan) and --sanitize=thread (.build-tsan)
#  C test (Tests/c/test_swiftloss.c) with clang -fsanitize=address,undefined, against the
#                                 release library and against the ASan-instrumented one
#                                 (LeakSanitizer included); any "runtime error" fails it
#  stress.c with -fsanitize=thread against the TSan-instrumented library
#
# valgrind memcheck of the C test (no errors, no leaks) is part of Tests/c/run.sh.
# Known limits of what ThreadSanitizer sees here: LLVM's TSan pass does not instrument vector
# loads and stores wider than 16 bytes (the kernels' SIMD8<Float> / SIMD4<Double> accesses),
# and the Swift runtime linked into the library is not instrumented (swift_once, used for lazy
# globals, is invisible: stress.c makes one call before starting its threads). The bitwise
# comparisons of stress.c and of the concurrency suite cover what TSan cannot see.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH="/opt/swift/usr/bin:$PATH"
CLANG=${CLANG:-$(command -v clang)}
cd "$root"
log=$here/build/sanitizers
mkdir -p "$log" "$here/build/lib-asan" "$here/build/lib-rel" "$here/build/lib-tsan"

results=()
failed=0
step() {  # step NAME LOGFILE COMMAND...: runs it, records "NAME: ok/FAILED (time) detail"
    local name=$1 out=$log/$2
    shift 2
    echo "== $name"
    echo "   $*" | cut -c1-200
    local t0=$SECONDS
    "$@" > "$out" 2>&1
    local rc=$?
    local detail
    detail=$(grep -E "Test run with [0-9]+ tests|[0-9]+ passed, [0-9]+ failed|threads x .* calls" "$out" | tail -1 | sed 's/^.*\(Test run\)/\1/' | cut -c1-110)
    if ((rc == 0)) && grep -qE "runtime error:|ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer" "$out"; then
        rc=1
    fi
    local verdict=ok
    if ((rc != 0)); then verdict="FAILED (exit $rc; log: ${out#"$root"/})"; failed=1; fi
    results+=("$(printf '%-52s %-8s %4ss  %s' "$name" "${verdict%% *}" $((SECONDS - t0)) "$detail")")
    echo "-- $name: $verdict, $((SECONDS - t0)) s ${detail:+($detail)}"
    if ((rc != 0)); then
        grep -m5 -E "runtime error:|ERROR: |WARNING: ThreadSanitizer|✘|error:" "$out" | sed 's/^/     /' || true
    fi
}

expect_unsupported_ubsan() {
    local out
    out=$(swift test --sanitize=undefined --scratch-path .build-test-ubsan-swiftc 2>&1)
    echo "$out" | tail -3
    grep -q "unsupported option '-sanitize=undefined'" <<<"$out"  # (echo | grep -q: SIGPIPE + pipefail)
}

step "swift test --sanitize=address (release)" swift-asan.log \
    swift test -c release -Xswiftc -enable-testing --sanitize=address --disable-xctest --scratch-path .build-test-asan
step "swift test --sanitize=undefined: unsupported by swiftc" swift-ubsan-swiftc.log expect_unsupported_ubsan
step "swift test, UBSan on C code + Swift debug checks" swift-ubsan.log \
    swift test --disable-xctest --scratch-path .build-test-ubsan -Xcc -fsanitize=undefined -Xcc -fsanitize-trap=undefined
step "swift test --sanitize=thread (release)" swift-tsan.log \
    swift test -c release -Xswiftc -enable-testing --sanitize=thread --disable-xctest --scratch-path .build-test-tsan

step "libswiftloss.so --sanitize=address" lib-asan.log \
    swift build -c release --product swiftloss --scratch-path .build-asan --sanitize=address
step "libswiftloss.so --sanitize=thread" lib-tsan.log \
    swift build -c release --product swiftloss --scratch-path .build-tsan --sanitize=thread
step "libswiftloss.so (release)" lib-release.log swift build -c release --product swiftloss

ln -sf "$root/.build/release/libswiftloss.so" "$here/build/lib-rel/libswiftloss.so.0"
ln -sf "$root/.build-asan/release/libswiftloss.so" "$here/build/lib-asan/libswiftloss.so.0"
ln -sf "$root/.build-tsan/release/libswiftloss.so" "$here/build/lib-tsan/libswiftloss.so.0"
c_test() {  # c_test LIBDIR RPATHDIR
    "$CLANG" -std=c99 -g -O1 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined -Iinclude \
        Tests/c/test_swiftloss.c -o "$2/test_c99" -L"$1" -lswiftloss -Wl,-rpath,"$2" &&
        (cd /tmp && env -u LD_LIBRARY_PATH ASAN_OPTIONS=detect_leaks=1 "$2/test_c99")
}
step "C test, ASan+UBSan, release library" c-asan-release.log c_test .build/release "$here/build/lib-rel"
step "C test, ASan+UBSan, ASan-instrumented library" c-asan-asanlib.log c_test .build-asan/release "$here/build/lib-asan"

swiftlib=$(dirname "$CLANG")/../lib/swift/linux
stress_tsan() {
    "$CLANG" -g -O1 -std=c11 -Wall -Wextra -Werror -fsanitize=thread -pthread -Iinclude Tests/stress/stress.c \
        -o "$here/build/lib-tsan/stress_tsan" -L.build-tsan/release -lswiftloss -Wl,-rpath,"$here/build/lib-tsan" \
        -L"$swiftlib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swiftlib" &&
        env -u LD_LIBRARY_PATH TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$here/build/lib-tsan/stress_tsan" 8 2
}
step "stress.c, TSan, TSan-instrumented library" stress-tsan.log stress_tsan

echo
echo "== sanitizers: summary (logs in Tests/stress/build/sanitizers/)"
printf '%s\n' "${results[@]}"
if ((failed)); then echo "sanitizers: FAILED"; else echo "sanitizers: all passed"; fi
exit "$failed"
