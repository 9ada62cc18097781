#!/usr/bin/env python3
"""Generates the mechanical layers of the C ABI from include/swiftloss.h, so they cannot drift:

  Sources/SwiftLossEntries/Entries.swift   each swiftloss_NAME_f32 / _f64 of the header as a
                                           Swift function of the same C signature that calls
                                           the generic NAMEEntry (camel case) of EntryPoints.swift
                                           with T = Float or Double;
  Sources/SwiftLossABI/Exports.swift         each function of the header as an @_cdecl export that
                                           calls the AVX2 build's Entries when the CPU has AVX2,
                                           else the baseline build's (Dispatch.swift).

Usage: Sources/SwiftLossABI/generate.py           rewrite both files
       Sources/SwiftLossABI/generate.py --check   exit 1 if either is not what the header gives
                                                (Tests/c/run.sh runs this)

Adding an entry point: declare swiftloss_NAME_f32 and _f64 in the header (with its doc block),
write NAMEEntry<T> in Sources/SwiftLossEntries/EntryPoints.swift, run this script.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "swiftloss.h"
ENTRIES = ROOT / "Sources" / "SwiftLossEntries" / "Entries.swift"
EXPORTS = ROOT / "Sources" / "SwiftLossABI" / "Exports.swift"

# The header's functions that compute nothing: hand-written in Library.swift, exported here.
LIBRARY = {
    "status_string": ("(_ code: Int32) -> UnsafePointer<CChar>", "code", False),
    "version_number": ("() -> UInt32", "", False),
    "version_string": ("() -> UnsafePointer<CChar>", "", False),
    "set_num_threads": ("(_ n: Int32)", "n", True),
    "get_num_threads": ("() -> Int32", "", True),
}

# The header's functions written by hand in Dispatch.swift (what the dispatch chose).
DISPATCH = {"kernels_string"}

SCALARS = {"size_t": "UInt", "int": "Int32", "int64_t": "Int64", "double": "Double", "float": "Float"}
ELEMENTS = {"float": "Float", "double": "Double", "int64_t": "Int64"}

DECLARATION = re.compile(r"SWIFTLOSS_API\s+(\w[\w\s]*?\**)\s*\bswiftloss_(\w+)\s*\(([^)]*)\)\s*;", re.S)


# C parameter names that are Swift keywords: written in backticks (gaussian_nll_loss's var).
SWIFT_KEYWORDS = {"var", "let", "in", "func", "inout", "default", "case", "repeat", "operator", "where"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def identifier(name: str) -> str:
    """A C parameter name as a Swift identifier (camel case; a keyword in backticks)."""
    swift = camel(name)
    return f"`{swift}`" if swift in SWIFT_KEYWORDS else swift


def swift_type(c_type: str, element: str = None) -> str:
    """A C parameter type as Swift; `element` replaces float/double (for the generic T)."""
    c_type = " ".join(c_type.split())
    pointer = c_type.endswith("*")
    base = c_type.rstrip("*").strip()
    const = base.startswith("const ")
    base = base[len("const "):] if const else base
    if pointer:
        name = ELEMENTS[base]
        if element is not None and base in ("float", "double"):
            name = element
        return f"{'UnsafePointer' if const else 'UnsafeMutablePointer'}<{name}>?"
    name = SCALARS[base]
    return name


def parameters(text: str):
    """[(swift name, C type)] of a C parameter list."""
    result = []
    for part in " ".join(text.split()).split(","):
        part = part.strip()
        if not part or part == "void":
            continue
        match = re.match(r"(.*?)(\w+)$", part)
        c_type, name = match.group(1).strip(), match.group(2)
        result.append((identifier(name), c_type))
    return result


def computations():
    """[(name without suffix, [(swift name, C type)])] of every _f32 function, in header order,
    checking that its _f64 twin has the same parameters with double for float."""
    text = HEADER.read_text(encoding="utf-8")
    found = {}
    order = []
    for returns, name, params in DECLARATION.findall(text):
        if name in LIBRARY or name in DISPATCH:
            continue
        if " ".join(returns.split()) != "swiftloss_status":
            raise SystemExit(f"generate.py: swiftloss_{name} does not return swiftloss_status")
        found[name] = parameters(params)
        order.append(name)
    result = []
    for name in order:
        if name.endswith("_f32"):
            base = name[:-4]
            twin = found.get(base + "_f64")
            expected = [(n, t.replace("float", "double")) for n, t in found[name]]
            if twin != expected:
                raise SystemExit(f"generate.py: swiftloss_{base}_f64 is not the float64 twin of swiftloss_{name}")
            result.append((base, found[name]))
        elif not name.endswith("_f64"):
            raise SystemExit(f"generate.py: swiftloss_{name} has no _f32 / _f64 suffix")
    return result


def signature(params, element):
    lines, line = [], "    "
    for i, (name, c_type) in enumerate(params):
        piece = f"_ {name}: {swift_type(c_type, element)}" + ("," if i + 1 < len(params) else "")
        if len(line) + len(piece) + 1 > 100 and line.strip():
            lines.append(line.rstrip())
            line = "    "
        line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


HEADER_NOTE = "// Generated by Sources/SwiftLossABI/generate.py from include/swiftloss.h: do not edit.\n"


def entries_swift(functions):
    out = [HEADER_NOTE, "#if !SWIFTLOSS_AVX2\nimport SwiftLoss\n#endif\n\n",
           "/// Every computing entry point of include/swiftloss.h, with its C signature, as a plain Swift\n",
           "/// function: the generic NAMEEntry of EntryPoints.swift for Float and for Double.\n",
           "///\n",
           "/// This module is compiled twice: as `SwiftLossEntries` for the baseline of the architecture\n",
           "/// and (through symbolic links, with the core's sources) as `SwiftLossEntriesAVX2` for x86-64\n",
           "/// CPUs with AVX2. The `@_cdecl` exports of SwiftLossABI pick one at run time.\n",
           "public enum Entries {\n"]
    for base, params in functions:
        args = ", ".join(name for name, _ in params)
        for suffix, element in (("f32", "Float"), ("f64", "Double")):
            out.append(f"    public static func {base}_{suffix}(\n    {signature(params, element).replace(chr(10), chr(10) + '    ')}\n"
                       f"    ) -> Int32 {{\n        {camel(base)}Entry({args})\n    }}\n\n")
    out[-1] = out[-1].rstrip("\n") + "\n"
    out.append("}\n")
    return "".join(out)


def exports_swift(functions):
    out = [HEADER_NOTE, "import SwiftLossEntries\nimport SwiftLossEntriesAVX2\n\n",
           "// The C ABI of include/swiftloss.h: each export calls the AVX2 build of its entry point when\n",
           "// the CPU (and OS) support AVX2, else the baseline build (see Dispatch.swift). The status,\n",
           "// version and thread functions are the exception: nothing of the AVX2 build may run unless\n",
           "// the dispatch chose it (the thread functions dispatch; the others are the baseline's).\n"]
    for name, (sig, args, dispatch) in LIBRARY.items():
        call = f"Entries.{name}({args})"
        body = (f"useAVX2 ? SwiftLossEntriesAVX2.{call} : SwiftLossEntries.{call}" if dispatch
                else f"SwiftLossEntries.{call}")
        out.append(f'\n@_cdecl("swiftloss_{name}")\npublic func swiftloss_{name}{sig} {{\n    {body}\n}}\n')
    for base, params in functions:
        args = ", ".join(name for name, _ in params)
        for suffix, element in (("f32", "Float"), ("f64", "Double")):
            name = f"{base}_{suffix}"
            call = f"Entries.{name}({args})"
            out.append(f'\n@_cdecl("swiftloss_{name}")\npublic func swiftloss_{name}(\n{signature(params, element)}\n) -> Int32 {{\n'
                       f"    useAVX2\n        ? SwiftLossEntriesAVX2.{call}\n        : SwiftLossEntries.{call}\n}}\n")
    return "".join(out)


def main() -> int:
    functions = computations()
    outputs = {ENTRIES: entries_swift(functions), EXPORTS: exports_swift(functions)}
    if sys.argv[1:] == ["--check"]:
        stale = [path for path, text in outputs.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"generate.py: {path.relative_to(ROOT)} is not what include/swiftloss.h gives; "
                  "run Sources/SwiftLossABI/generate.py", file=sys.stderr)
        if not stale:
            print(f"generate.py: Entries.swift and Exports.swift match the header ({2 * len(functions)} entry points)")
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(f"generate.py: wrote {ENTRIES.relative_to(ROOT)} and {EXPORTS.relative_to(ROOT)} ({2 * len(functions)} entry points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
