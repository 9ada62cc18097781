#!/usr/bin/env python3
"""compare_dumps.py - compares two isa_dump outputs segment by segment.

Usage: compare_dumps.py A B [--ulps N]

Each segment is a type byte ('f' float32 / 'd' float64), a uint64 count and the elements.
With --ulps 0 the dumps must be identical bytes. Otherwise every pair of elements must agree
to N units in the last place of the segment's largest magnitude (the kernels' rounding errors
are relative to the size of their terms, e.g. log_softmax = x - max - log(sum) near 0): same
NaN and infinity positions, |a - b| <= N * ulp(max |segment|). Prints each segment's largest
difference in those ULPs.
"""
import array
import math
import struct
import sys


def segments(path):
    data = open(path, "rb").read()
    k, out = 0, []
    while k < len(data):
        kind = chr(data[k])
        (count,) = struct.unpack_from("=Q", data, k + 1)
        k += 9
        size = 4 if kind == "f" else 8
        values = array.array(kind)
        values.frombytes(data[k:k + count * size])
        out.append((kind, values))
        k += count * size
    return out


def ulp(kind, magnitude):
    # the spacing of the type's values at `magnitude` (at least the smallest normal's)
    bits, tiny = (23, 2.0 ** -126) if kind == "f" else (52, 2.0 ** -1022)
    magnitude = max(magnitude, tiny)
    return 2.0 ** (math.frexp(magnitude)[1] - 1 - bits)


def main():
    args = sys.argv[1:]
    ulps = 0.0
    if "--ulps" in args:
        i = args.index("--ulps")
        ulps = float(args[i + 1])
        del args[i:i + 2]
    a_path, b_path = args
    if ulps == 0:
        same = open(a_path, "rb").read() == open(b_path, "rb").read()
        print("identical bytes" if same else "the dumps differ")
        return 0 if same else 1
    a, b = segments(a_path), segments(b_path)
    if [(k, len(v)) for k, v in a] != [(k, len(v)) for k, v in b]:
        print("the dumps have different segments")
        return 1
    failed = 0
    for n, ((kind, va), (_, vb)) in enumerate(zip(a, b)):
        finite = [abs(v) for v in va if math.isfinite(v)]
        unit = ulp(kind, max(finite, default=0.0))
        worst = 0.0
        for x, y in zip(va, vb):
            if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
                if not (x == y or (math.isnan(x) and math.isnan(y))):
                    worst = math.inf
                continue
            worst = max(worst, abs(x - y) / unit)
        ok = worst <= ulps
        failed += not ok
        print(f"segment {n} ({kind}, {len(va)} values): max difference {worst:.3g} ulps of its largest"
              f" magnitude{'' if ok else f' > {ulps:g}: FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
