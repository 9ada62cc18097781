#!/usr/bin/env python3
"""check_isa.py - no AVX instruction is reachable from libswiftloss.so's baseline path.

libswiftloss.so carries a baseline and an AVX2 build of its kernels (the module
SwiftLossEntriesAVX2, mangled 20SwiftLossEntriesAVX2), picked at run time. The AVX2 build may
also leave out-of-line copies of generic helpers (specializations) that carry no module name;
that is safe as long as only AVX2 code calls them. This check disassembles the library, builds
the direct-call graph (call and jmp), computes the functions reachable only from the AVX2
build, and fails if any function outside that set contains a VEX/EVEX instruction: such code
could run on a CPU without AVX and die with SIGILL. A local function that nothing references
(no call or jump to it, its address in no instruction and no relocation, not exported) is dead
code the compiler left behind and cannot run: it is reported as such, not as a failure.

Usage: check_isa.py path/to/libswiftloss.so
"""
import collections
import platform
import re
import subprocess
import sys

AVX2_MODULE = "20SwiftLossEntriesAVX2"
AVX512_MODULE = "19SwiftLossGemmAVX512"
VEX = re.compile(r"\tv[a-z0-9]+[ \t]|%[yz]mm")
# EVEX-only (AVX-512): a ZMM register, an opmask register, or XMM/YMM 16-31.
EVEX = re.compile(r"%zmm|%k[0-7]\b|%[xy]mm(?:1[6-9]|2[0-9]|3[01])\b|\{1to")
CALL = re.compile(r"\t(?:call|jmp)[a-z]*\s+[0-9a-f]+ <([^>+]+)(?:\+0x[0-9a-f]+)?>")


def main(lib):
    if platform.machine() != "x86_64":
        print("check_isa: not x86-64, nothing to check")
        return 0
    dump = subprocess.run(["objdump", "-d", "--no-show-raw-insn", lib], check=True,
                          capture_output=True, text=True).stdout
    # Addresses that data refers to (relative relocations' addends) and the exported names.
    relocs = subprocess.run(["readelf", "-rW", lib], check=True, capture_output=True,
                            text=True).stdout
    data_refs = {int(m.group(1), 16) for m in
                 re.finditer(r"R_X86_64_(?:RELATIVE|64|GLOB_DAT|JUMP_SLOT)\s+\S*\s*([0-9a-f]+)\s*$",
                             relocs, re.M)}
    data_refs |= {int(m.group(1), 16) for m in
                  re.finditer(r"R_X86_64_\w+\s+[0-9a-f]+\s+\S+\s+\+\s+([0-9a-f]+)", relocs)}
    exported = set(subprocess.run(["nm", "-D", "--defined-only", "--format=just-symbols", lib],
                                  check=True, capture_output=True, text=True).stdout.split())
    address = {}
    code_refs = set()
    callers = collections.defaultdict(set)
    vex = set()
    evex = set()
    functions = set()
    current = None
    for line in dump.splitlines():
        head = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if head:
            current = head.group(2)
            address[current] = int(head.group(1), 16)
            functions.add(current)
            continue
        if current is None:
            continue
        if VEX.search(line):
            vex.add(current)
        if EVEX.search(line):
            evex.add(current)
        call = CALL.search(line)
        if call and call.group(1) != current:
            callers[call.group(1)].add(current)
        for ref in re.findall(r"<([^>+]+)(?:\+0x[0-9a-f]+)?>", line):
            if ref != current:
                code_refs.add(ref)

    def reachable_only_from(seed):
        """`seed`, then every function all of whose callers are in the set (and that has a
        caller: exported or unreferenced code is not)."""
        only = set(seed)
        changed = True
        while changed:
            changed = False
            for f in functions - only:
                if callers[f] and callers[f] <= only:
                    only.add(f)
                    changed = True
        return only

    # The AVX-512 GEMM kernels (SwiftLossGemmAVX512) run only when the dispatch found AVX-512,
    # through function values the AVX2 build's gemm calls: no function outside what only they
    # reach may hold an AVX-512 (EVEX) instruction, which would kill an AVX2-only CPU.
    avx512_only = reachable_only_from({f for f in functions if AVX512_MODULE in f})
    for f in sorted(evex - avx512_only):
        print(f"check_isa: AVX-512 code reachable outside the AVX-512 GEMM: {f}")
    if not evex & avx512_only:
        print("check_isa: the AVX-512 GEMM contains no AVX-512 instruction")
        return 1
    if evex - avx512_only:
        return 1
    print(f"check_isa: OK ({len(evex)} functions with AVX-512 instructions, all reachable only from "
          f"the AVX-512 GEMM)")

    # Functions reachable only from the AVX2 build (the AVX-512 kernels run only under it).
    avx2_only = reachable_only_from({f for f in functions if AVX2_MODULE in f} | avx512_only)

    dead = {f for f in vex - avx2_only
            if not callers[f] and f not in code_refs and f not in exported
            and address.get(f) not in data_refs}
    for f in sorted(dead):
        print(f"check_isa: note: unreferenced local code with AVX instructions (dead): {f}")
    bad = sorted(vex - avx2_only - dead)
    for f in bad:
        outside = sorted(c for c in callers[f] if c not in avx2_only)
        print(f"check_isa: AVX code reachable outside the AVX2 build: {f} (called from {outside[:3]})")
    used = len(vex & avx2_only)
    if used == 0:
        print("check_isa: the AVX2 build contains no AVX instruction")
        return 1
    if bad:
        return 1
    shared = len({f for f in vex if AVX2_MODULE not in f and f not in avx512_only})
    print(f"check_isa: OK ({used} functions with AVX instructions, all reachable only from the "
          f"AVX2 build; {shared} of them shared helpers called only by it)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
