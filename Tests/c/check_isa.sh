#!/usr/bin/env bash
# check_isa.sh - libswiftloss.so carries a baseline and an AVX2 build of its kernels, picked at
# run time. Fails if any function outside the AVX2 module (SwiftLossEntriesAVX2, mangled as
# 20SwiftLossEntriesAVX2) contains a VEX/EVEX instruction: such code would die with SIGILL on
# a CPU without AVX. On x86-64 it also checks that the AVX2 module really uses AVX.
# Usage: check_isa.sh path/to/libswiftloss.so
set -euo pipefail
lib=${1:?usage: check_isa.sh path/to/libswiftloss.so}
[[ $(uname -m) == x86_64 ]] || { echo "check_isa: not x86-64, nothing to check"; exit 0; }
objdump -d --no-show-raw-insn "$lib" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2; next }
    /\tv[a-z0-9]+[ \t]|%[yz]mm/ {
        if (fn ~ /20SwiftLossEntriesAVX2/) avx2[fn] = 1; else bad[fn]++
    }
    END {
        nbad = 0; for (f in bad) { print "check_isa: VEX instructions outside the AVX2 build: " f; nbad++ }
        navx = 0; for (f in avx2) navx++
        if (navx == 0) { print "check_isa: the AVX2 build contains no AVX instruction"; exit 1 }
        if (nbad > 0) exit 1
        printf "check_isa: OK (%d functions of the AVX2 build use AVX; none elsewhere)\n", navx
    }'
