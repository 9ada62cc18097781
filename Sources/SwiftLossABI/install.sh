#!/usr/bin/env bash
# shellcheck disable=SC2016  # '${libdir}' etc. go into the .pc file unexpanded
# install.sh - install libswiftloss for C users (what `make install` / `make uninstall` run).
#
# Usage: Sources/SwiftLossABI/install.sh PREFIX               install
#        Sources/SwiftLossABI/install.sh --uninstall PREFIX   remove what install put there
#
# Installs, under $DESTDIR$PREFIX:
#   lib/libswiftloss.so.X.Y.Z                the library (X.Y.Z from include/swiftloss.h)
#   lib/libswiftloss.so.X -> .so.X.Y.Z       the SONAME, the name programs load at run time
#   lib/libswiftloss.so   -> .so.X           the name the linker's -lswiftloss finds
#   include/swiftloss.h
#   lib/pkgconfig/swiftloss.pc               from Sources/SwiftLossABI/swiftloss.pc.in
#
# Environment:
#   DESTDIR            staging root for packagers: files go to $DESTDIR$PREFIX, while the
#                      .pc file names $PREFIX (default: empty).
#   LIBDIR             the library directory (default: $PREFIX/lib; e.g. $PREFIX/lib64).
#   INCLUDEDIR         the header directory (default: $PREFIX/include).
#   PKGCONFIGDIR       where swiftloss.pc goes (default: $LIBDIR/pkgconfig).
#   SWIFTLOSS_LIBRARY  the built library (default: .build/release/libswiftloss.so; build it
#                      with `make lib` or `swift build -c release --product swiftloss`).
#   STRIP              no keeps the library's debugging sections (default: yes, the installed
#                      copy is stripped with `strip --strip-unneeded`, as the wheel's is).
#   RPATH              yes, no or auto (default). With rpath, the .pc file's Libs carry
#                      -Wl,-rpath,${libdir}, so a program linked with
#                      `cc ... $(pkg-config --libs swiftloss)` finds the library at run time
#                      without LD_LIBRARY_PATH. auto: yes unless LIBDIR is a directory the
#                      loader always searches (/usr/lib, /lib, /usr/lib64, /usr/lib/<triplet>).
#
# Installing again overwrites; uninstalling removes the five files, then lib/pkgconfig,
# lib and include if they are left empty. As root with no DESTDIR, ldconfig is run when
# LIBDIR is one of the loader's configured directories (/usr/local/lib, ...).
set -euo pipefail
# shellcheck disable=SC2016  # '${libdir}' etc. are written into the .pc file unexpanded

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
    echo "usage: $0 [--uninstall] PREFIX" >&2
    exit 2
}

mode=install
if [[ ${1:-} == --uninstall ]]; then
    mode=uninstall
    shift
fi
[[ $# -eq 1 && -n $1 ]] || usage
prefix=$1
# A relative prefix would end up in the .pc file as it is: make it absolute.
[[ $prefix == /* ]] || prefix=$(pwd)/$prefix
prefix=${prefix%/}
[[ -n $prefix ]] || prefix=/  # PREFIX=/ stays /

destdir=${DESTDIR:-}
libdir=${LIBDIR:-$prefix/lib}
includedir=${INCLUDEDIR:-$prefix/include}
pkgconfigdir=${PKGCONFIGDIR:-$libdir/pkgconfig}

header=$root/include/swiftloss.h
version=$(sed -n 's/^#define SWIFTLOSS_VERSION_STRING "\([0-9.]*\)".*/\1/p' "$header")
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "install.sh: no SWIFTLOSS_VERSION_STRING in $header" >&2
    exit 1
fi
major=${version%%.*}
real=libswiftloss.so.$version
soname=libswiftloss.so.$major

# Directories the loader searches without any configuration (no rpath needed there).
loader_default_dir() {
    local triplet
    triplet=$(cc -dumpmachine 2>/dev/null || true)
    case ${1%/} in
        /lib | /usr/lib | /lib64 | /usr/lib64) return 0 ;;
    esac
    [[ -n $triplet && ( ${1%/} == /lib/$triplet || ${1%/} == /usr/lib/$triplet ) ]]
}

# ldconfig, for a real (not staged) install as root into a directory that ld.so.conf lists.
maybe_ldconfig() {
    [[ -z $destdir && $(id -u) -eq 0 ]] || return 0
    command -v ldconfig >/dev/null || return 0
    if ldconfig -v 2>/dev/null | grep "^${libdir%/}:" >/dev/null; then  # not grep -q: SIGPIPE
        ldconfig
    fi
}

if [[ $mode == uninstall ]]; then
    for f in "$destdir$libdir/libswiftloss.so" "$destdir$libdir/$soname" \
             "$destdir$libdir/$real" "$destdir$includedir/swiftloss.h" \
             "$destdir$pkgconfigdir/swiftloss.pc"; do
        if [[ -e $f || -L $f ]]; then
            rm -f "$f"
            echo "removed $f"
        fi
    done
    # Only directories that are now empty, deepest first.
    for d in "$destdir$pkgconfigdir" "$destdir$libdir" "$destdir$includedir"; do
        [[ -d $d ]] && rmdir --ignore-fail-on-non-empty "$d"
    done
    maybe_ldconfig
    exit 0
fi

library=${SWIFTLOSS_LIBRARY:-$root/.build/release/libswiftloss.so}
if [[ ! -f $library ]]; then
    echo "install.sh: $library not found; build it first: make lib" \
         "(or swift build -c release --product swiftloss)" >&2
    exit 1
fi
actual_soname=$(objdump -p "$library" 2>/dev/null | awk '$1 == "SONAME" {print $2}' || true)
if [[ -n $actual_soname && $actual_soname != "$soname" ]]; then
    echo "install.sh: $library has SONAME $actual_soname, expected $soname" >&2
    exit 1
fi

case ${RPATH:-auto} in
    yes) rpath=1 ;;
    no) rpath=0 ;;
    auto) if loader_default_dir "$libdir"; then rpath=0; else rpath=1; fi ;;
    *) echo "install.sh: RPATH must be yes, no or auto, got '${RPATH}'" >&2; exit 2 ;;
esac
rpath_flags=""
[[ $rpath -eq 1 ]] && rpath_flags=' -Wl,-rpath,${libdir}'

# ${exec_prefix}/lib and ${prefix}/include when they are under the prefix, so that
# pkg-config --define-prefix can relocate the tree.
pc_libdir=$libdir
[[ $libdir == "$prefix"/* ]] && pc_libdir='${exec_prefix}'/${libdir#"$prefix"/}
pc_includedir=$includedir
[[ $includedir == "$prefix"/* ]] && pc_includedir='${prefix}'/${includedir#"$prefix"/}

install -d "$destdir$libdir" "$destdir$includedir" "$destdir$pkgconfigdir"
install -m 755 "$library" "$destdir$libdir/$real"
# Stripped of its debugging sections (12 MB -> 7 MB; the exported symbols stay) unless
# STRIP=no, with `strip --strip-unneeded` when there is a strip.
if [[ ${STRIP:-yes} != no ]] && command -v "${STRIP_PROGRAM:-strip}" >/dev/null; then
    "${STRIP_PROGRAM:-strip}" --strip-unneeded "$destdir$libdir/$real"
fi
ln -sfn "$real" "$destdir$libdir/$soname"
ln -sfn "$soname" "$destdir$libdir/libswiftloss.so"
install -m 644 "$header" "$destdir$includedir/swiftloss.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$pc_libdir|" -e "s|@INCLUDEDIR@|$pc_includedir|" \
    -e "s|@VERSION@|$version|" -e "s|@RPATH@|$rpath_flags|" \
    "$here/swiftloss.pc.in" > "$destdir$pkgconfigdir/swiftloss.pc.tmp"
chmod 644 "$destdir$pkgconfigdir/swiftloss.pc.tmp"
mv -f "$destdir$pkgconfigdir/swiftloss.pc.tmp" "$destdir$pkgconfigdir/swiftloss.pc"
maybe_ldconfig

echo "installed swiftloss $version into $destdir$prefix:"
echo "  $libdir/$real (+ $soname, libswiftloss.so)"
echo "  $includedir/swiftloss.h"
echo "  $pkgconfigdir/swiftloss.pc$([[ $rpath -eq 1 ]] && echo " (Libs with -Wl,-rpath,$libdir)")"
default_pc_path=$(pkg-config --variable pc_path pkg-config 2>/dev/null || true)
if [[ :$default_pc_path: != *":${pkgconfigdir%/}:"* ]]; then
    echo "  pkg-config: export PKG_CONFIG_PATH=$pkgconfigdir\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
fi
