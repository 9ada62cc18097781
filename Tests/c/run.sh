#!/usr/bin/env bash
# run.sh - build and run the C test suite of libswiftloss.
#
# Usage: Tests/c/run.sh [path/to/directory/of/libswiftloss.so]
#        (default .build/release, relative to the repository root; works from any cwd)
#
# Compiles Tests/c/test_swiftloss.c as C99 and as C++17 into Tests/c/build/, runs both,
# runs Tests/c/check_exports.sh, and runs the C99 binary under valgrind when it is installed.
# Honours $CC and $CXX. Exits non-zero if anything fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

# A relative argument is relative to the caller's directory.
libdir=${1:-$root/.build/release}
if [[ ! -f $libdir/libswiftloss.so ]]; then
    echo "run.sh: $libdir/libswiftloss.so not found (build it: swift build -c release)" >&2
    exit 1
fi
libdir=$(cd "$libdir" && pwd)
cd "$root"

build=$here/build
rm -rf "$build"
mkdir -p "$build/lib"
# The library's SONAME is libswiftloss.so.0 but SwiftPM names the file libswiftloss.so:
# give the loader a libswiftloss.so.0, first in the rpath.
ln -s "$libdir/libswiftloss.so" "$build/lib/libswiftloss.so.0"
link=(-L"$libdir" -lswiftloss -lm -Wl,-rpath,"$build/lib" -Wl,-rpath,"$libdir")

echo "== compile (C99, C++17)"
"${CC:-cc}" -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude \
    Tests/c/test_swiftloss.c -o "$build/test_c99" "${link[@]}"
"${CXX:-c++}" -x c++ -std=c++17 -Wall -Wextra -Werror -Iinclude \
    Tests/c/test_swiftloss.c -o "$build/test_cxx" "${link[@]}"

status=0
run() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then echo "-- $name: ok"; else echo "-- $name: FAILED"; status=1; fi
}

run "test (C99)" env -u LD_LIBRARY_PATH "$build/test_c99"
run "test (C++17)" env -u LD_LIBRARY_PATH "$build/test_cxx"
run "exports" "$here/check_exports.sh" "$libdir/libswiftloss.so"
run "Entries.swift and Exports.swift are generated from the header" python3 "$root/Sources/SwiftLossABI/generate.py" --check
run "ISA split" python3 "$here/check_isa.py" "$libdir/libswiftloss.so"

# The AVX2 build (fused multiply-adds) and the baseline build of the kernels must agree to a
# few ULP; each build must give the same bytes every time.
"${CC:-cc}" -std=c11 -O1 -Wall -Wextra -Werror -Iinclude Tests/c/isa_dump.c -o "$build/isa_dump" "${link[@]}"
same_on_both_builds() {
    env -u LD_LIBRARY_PATH "$build/isa_dump" > "$build/dump_dispatch.bin" &&
    env -u LD_LIBRARY_PATH "$build/isa_dump" > "$build/dump_dispatch2.bin" &&
    env -u LD_LIBRARY_PATH SWIFTLOSS_ISA=baseline "$build/isa_dump" > "$build/dump_baseline.bin" &&
    python3 "$here/compare_dumps.py" "$build/dump_dispatch.bin" "$build/dump_dispatch2.bin" &&
    python3 "$here/compare_dumps.py" --ulps 8 "$build/dump_dispatch.bin" "$build/dump_baseline.bin"
}
run "AVX2 build == baseline build (to 8 ULP)" same_on_both_builds
# Where the CPU has AVX-512 the dispatch's GEMM runs the AVX-512 kernels: the same bits as the
# AVX2 build's (SWIFTLOSS_ISA=avx2). On a CPU without AVX-512 both runs are the AVX2 build.
same_with_avx512_gemm() {
    env -u LD_LIBRARY_PATH "$build/isa_dump" --gemm > "$build/gemm_dispatch.bin" &&
    env -u LD_LIBRARY_PATH SWIFTLOSS_ISA=avx2 "$build/isa_dump" --gemm > "$build/gemm_avx2.bin" &&
    env -u LD_LIBRARY_PATH SWIFTLOSS_ISA=baseline "$build/isa_dump" --gemm > "$build/gemm_baseline.bin" &&
    python3 "$here/compare_dumps.py" "$build/gemm_dispatch.bin" "$build/gemm_avx2.bin" &&
    python3 "$here/compare_dumps.py" --ulps 64 "$build/gemm_dispatch.bin" "$build/gemm_baseline.bin"
}
echo "== kernels picked here: $(env -u LD_LIBRARY_PATH "$build/isa_dump" --kernels)"
run "AVX-512 GEMM == AVX2 GEMM (bit for bit), == baseline GEMM (to 64 ULP)" same_with_avx512_gemm
run "test (C99, baseline build forced)" env -u LD_LIBRARY_PATH SWIFTLOSS_ISA=baseline "$build/test_c99"

# On an emulated CPU without AVX (Westmere), the dispatch must pick the baseline build and
# nothing may execute an AVX instruction (a SIGILL there would be a crash on old hardware).
if [[ $(uname -m) == x86_64 ]] && command -v qemu-x86_64 >/dev/null; then
    # qemu-user itself aborts in a child forked from a process with threads (a qemu plugin
    # assertion), so the fork check of test_threads is left to the native and valgrind runs.
    run "test (C99, emulated CPU without AVX)" env -u LD_LIBRARY_PATH SWIFTLOSS_TEST_NO_FORK=1 qemu-x86_64 -cpu Westmere "$build/test_c99"
    same_without_avx() {
        env -u LD_LIBRARY_PATH qemu-x86_64 -cpu Westmere "$build/isa_dump" > "$build/dump_noavx.bin" &&
        python3 "$here/compare_dumps.py" "$build/dump_noavx.bin" "$build/dump_baseline.bin"
    }
    run "outputs on the emulated CPU without AVX" same_without_avx
    # On an emulated AVX2 CPU without AVX-512 (Haswell) the dispatch must keep to the AVX2
    # build (an AVX-512 instruction would be a SIGILL), with the same GEMM bits.
    avx2_without_avx512() {
        local picked
        picked=$(env -u LD_LIBRARY_PATH qemu-x86_64 -cpu Haswell "$build/isa_dump" --kernels 2>/dev/null) &&
        echo "kernels picked: $picked" && [[ $picked == avx2 ]] &&
        env -u LD_LIBRARY_PATH qemu-x86_64 -cpu Haswell "$build/isa_dump" --gemm 2>/dev/null > "$build/gemm_haswell.bin" &&
        python3 "$here/compare_dumps.py" "$build/gemm_haswell.bin" "$build/gemm_avx2.bin"
    }
    run "emulated AVX2 CPU without AVX-512: the AVX2 build, the same GEMM bits" avx2_without_avx512
else
    echo "== emulated CPU without AVX: not x86-64 or no qemu-x86_64 (.ci/setup installs qemu-user)"
fi

# The README's C example, extracted from README.md and compiled exactly as it stands there.
awk '/^```c$/{on=1; next} /^```$/{on=0} on' README.md > "$build/readme_example.c"
"${CC:-cc}" -std=c99 -Wall -Wextra -Werror -Iinclude "$build/readme_example.c" \
    -o "$build/readme_example" "${link[@]}"
readme_example() {
    local out
    out=$(env -u LD_LIBRARY_PATH "$build/readme_example") || return 1
    echo "$out"
    [[ $out == *"1.3669"* ]]
}
run "README example" readme_example
if command -v valgrind >/dev/null; then
    # valgrind-swift.supp: the Swift runtime's process-lifetime metadata cache, a false
    # "possibly lost" (see the file).
    run "valgrind (C99)" env -u LD_LIBRARY_PATH \
        valgrind --error-exitcode=1 --leak-check=full -q \
        --suppressions="$here/valgrind-swift.supp" "$build/test_c99"
else
    echo "== valgrind: not installed, skipped"
fi

if ((status)); then echo "run.sh: FAILED"; else echo "run.sh: all passed"; fi
exit "$status"
