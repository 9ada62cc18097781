#!/usr/bin/env bash
# test_install.sh - installing libswiftloss for C users, as the README tells them to.
#
# Installs into a temporary prefix (with `make install PREFIX=...` when the Makefile has that
# target, else Sources/SwiftLossABI/install.sh), checks the files, the symlinks, the SONAME and the
# pkg-config metadata, builds examples/c/articles.c with
#     cc articles.c $(pkg-config --cflags --libs swiftloss)
# and runs it with no LD_LIBRARY_PATH (the .pc file's Libs carry the rpath), builds it again
# with CMake (find_package(PkgConfig) + pkg_check_modules; installed with apt-get if missing,
# skipped with a message if that fails), checks a staged DESTDIR install, then uninstalls
# and checks that nothing is left. Installs pkg-config with apt-get if it is missing.
#
# Usage: Tests/install/test_install.sh        (from anywhere; about 10 s, plus apt-get once)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_lib
ensure_apt pkg-config pkg-config || { echo "test_install.sh: pkg-config is missing and could not be installed" >&2; exit 1; }
ensure_apt cc gcc || { echo "test_install.sh: no C compiler" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
unset LD_LIBRARY_PATH

# make install / make uninstall when the Makefile has them (the README's commands), else the
# script those targets run. SWIFTLOSS_MAKEFILE: another Makefile to take them from.
makefile=${SWIFTLOSS_MAKEFILE:-$root/Makefile}
if grep -q '^install:' "$makefile"; then
    do_install() { make -s -f "$makefile" -C "$root" install PREFIX="$1"; }
    do_uninstall() { make -s -f "$makefile" -C "$root" uninstall PREFIX="$1"; }
    do_install_unstripped() { make -s -f "$makefile" -C "$root" install PREFIX="$1" STRIP=no; }
    how="make install / make uninstall"
else
    do_install() { bash "$root/Sources/SwiftLossABI/install.sh" "$1"; }
    do_uninstall() { bash "$root/Sources/SwiftLossABI/install.sh" --uninstall "$1"; }
    how="Sources/SwiftLossABI/install.sh (the Makefile has no install target yet)"
fi
echo "installing with $how into $prefix"

installed_layout() {
    local lib=$prefix/lib
    [[ -f $lib/libswiftloss.so.$version && ! -L $lib/libswiftloss.so.$version ]] || { echo "no $lib/libswiftloss.so.$version"; return 1; }
    [[ $(readlink "$lib/libswiftloss.so.0") == "libswiftloss.so.$version" ]] || { echo "bad libswiftloss.so.0 link"; return 1; }
    [[ $(readlink "$lib/libswiftloss.so") == "libswiftloss.so.0" ]] || { echo "bad libswiftloss.so link"; return 1; }
    cmp "$root/include/swiftloss.h" "$prefix/include/swiftloss.h"
    local soname
    soname=$(objdump -p "$lib/libswiftloss.so.$version" | awk '$1 == "SONAME" {print $2}')
    [[ $soname == libswiftloss.so.0 ]] || { echo "SONAME $soname"; return 1; }
    find "$prefix" | sort
    cat "$lib/pkgconfig/swiftloss.pc"
}

pkg_config_metadata() {
    [[ $(pkg-config --modversion swiftloss) == "$version" ]] || { echo "modversion $(pkg-config --modversion swiftloss)"; return 1; }
    pkg-config --exists "swiftloss >= $version" || return 1
    local cflags libs
    cflags=$(pkg-config --cflags swiftloss | xargs)  # xargs: without pkg-config's trailing space
    libs=$(pkg-config --libs swiftloss | xargs)
    echo "cflags: $cflags"
    echo "libs:   $libs"
    [[ $cflags == "-I$prefix/include" ]] || return 1
    [[ $libs == *"-L$prefix/lib"* && $libs == *-lswiftloss* && $libs == *"-Wl,-rpath,$prefix/lib"* ]]
}

c_program() {
    # The library flags after the source, so that linkers using --as-needed (Ubuntu) keep it.
    # shellcheck disable=SC2046
    cc -std=c99 -Wall -Wextra -Werror -pedantic "$root/examples/c/articles.c" \
        $(pkg-config --cflags --libs swiftloss) -o "$tmp/articles" || return 1
    local resolved
    resolved=$(ldd "$tmp/articles" | grep libswiftloss)  # (grep -q on ldd's pipe: SIGPIPE + pipefail)
    echo "$resolved"
    [[ $resolved == *"libswiftloss.so.0 => $prefix/lib/libswiftloss.so.0 "* ]] || return 1
    check_article_A C "$(env -u LD_LIBRARY_PATH "$tmp/articles")"
}

cmake_program() {
    local dir=$1 build=$tmp/cmake-build-$2
    cmake -S "$dir" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || return 1
    cmake --build "$build" >/dev/null || return 1
    check_article_A C "$(env -u LD_LIBRARY_PATH "$build/articles")"
}

# The README's CMake snippet, once it has one (```cmake), built word for word beside
# examples/c/articles.c.
readme_cmake() {
    local dir=$tmp/readme-cmake
    mkdir -p "$dir"
    readme_block cmake pkg_check_modules > "$dir/CMakeLists.txt"
    cp "$root/examples/c/articles.c" "$dir/articles.c"
    cmake_program "$dir" readme
}

staged_install() {
    local stage=$tmp/stage
    DESTDIR=$stage bash "$root/Sources/SwiftLossABI/install.sh" /usr/local >/dev/null || return 1
    [[ -f $stage/usr/local/lib/libswiftloss.so.$version && -f $stage/usr/local/include/swiftloss.h ]] || return 1
    grep -qx 'prefix=/usr/local' "$stage/usr/local/lib/pkgconfig/swiftloss.pc" || return 1
    DESTDIR=$stage bash "$root/Sources/SwiftLossABI/install.sh" --uninstall /usr/local >/dev/null || return 1
    [[ -z $(find "$stage" -mindepth 1 ! -type d) ]] || { find "$stage"; return 1; }
    echo "DESTDIR=$stage: installed under it, .pc names /usr/local, uninstalled"
}

uninstalled() {
    do_uninstall "$prefix" || return 1
    local left
    left=$(find "$prefix" -mindepth 1)
    [[ -z $left ]] || { echo "left behind:"; echo "$left"; return 1; }
    # And the program really used the prefix: it no longer starts.
    if env -u LD_LIBRARY_PATH "$tmp/articles" >/dev/null 2>&1; then
        echo "the program still runs without the installed library"
        return 1
    fi
    echo "$prefix is empty; the program no longer finds libswiftloss.so.0"
}

# The installed library is stripped (no .debug_* sections) unless STRIP=no.
debug_sections() { readelf -S -W "$1" | grep -c '\.debug_' || true; }
stripped_by_default() {
    local installed=("$prefix"/lib/libswiftloss.so.*.*.*)
    echo "installed: $(stat -c %s "${installed[0]}") bytes, $(debug_sections "${installed[0]}") .debug sections"
    [[ $(debug_sections "${installed[0]}") -eq 0 ]] || return 1
    declare -F do_install_unstripped >/dev/null || return 0
    do_install_unstripped "$tmp/unstripped" || return 1
    local kept=("$tmp/unstripped"/lib/libswiftloss.so.*.*.*)
    echo "with STRIP=no: $(stat -c %s "${kept[0]}") bytes, $(debug_sections "${kept[0]}") .debug sections"
    [[ $(debug_sections "${kept[0]}") -gt 0 ]]
}

step "install into a temporary prefix" do_install "$prefix"
step "installed files, symlinks, SONAME" installed_layout
step "the installed library is stripped (STRIP=no keeps debug info)" stripped_by_default
step "pkg-config metadata" pkg_config_metadata
step "C program: cc articles.c \$(pkg-config --cflags --libs swiftloss), no LD_LIBRARY_PATH" c_program
step "install again over it (idempotent)" do_install "$prefix"
step "C program still runs" check_article_A C "$(env -u LD_LIBRARY_PATH "$tmp/articles" 2>&1)"
if ensure_apt cmake cmake; then
    step "CMake: pkg_check_modules (examples/cmake)" cmake_program "$root/examples/cmake" example
    if [[ -n $(readme_block cmake pkg_check_modules) ]]; then
        step "CMake: the README's snippet" readme_cmake
    else
        echo "== CMake: $readme has no \`\`\`cmake snippet yet; examples/cmake was built instead"
    fi
else
    echo "== CMake: SKIPPED (cmake is not installed and apt-get could not install it)"
fi
step "staged install (DESTDIR)" staged_install
step "uninstall leaves nothing" uninstalled
finish
