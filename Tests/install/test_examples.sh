#!/usr/bin/env bash
# test_examples.sh - the examples of every runtime compile, run and print article A's numbers.
#
# Installs libswiftloss into a temporary prefix (Sources/SwiftLossABI/install.sh) and, against it,
# through pkg-config (PKG_CONFIG_PATH) and with no LD_LIBRARY_PATH, builds and runs:
#   examples/c/articles.c            cc, C99, -Wall -Wextra -Werror -pedantic
#   examples/cpp/articles.cpp        c++, C++11, the same warnings
#   examples/rust/                   cargo build --offline (extern "C" block, no crates)
#   examples/python-ctypes/articles.py   python3 with ctypes only (no extension, no numpy)
# and builds examples/swift-package (a SwiftPM package depending on the SwiftLoss product of
# this repository with .package(path: "../..")) with swift build. Each must print the line
# "swiftloss X.Y.Z, article A (<language>)" and then exactly Tests/install/article_A.expected.
# Then the README's own short examples (```cpp, ```rust, the ```python one that uses ctypes,
# the ```swift one that imports SwiftLoss), when it has them, exactly as written there.
# Build products go to a temporary directory; the source tree is left as it was (SwiftPM
# writes examples/swift-package/Package.resolved, which .gitignore ignores).
#
# Installs pkg-config, a C and a C++ compiler with apt-get if they are missing. Without
# cargo (looked for on PATH and in ~/.cargo/bin) the Rust example is skipped, with a message,
# unless apt-get can install cargo.
#
# Usage: Tests/install/test_examples.sh     (about 20 s: most of it the Swift package build)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_lib
ensure_apt pkg-config pkg-config || { echo "test_examples.sh: pkg-config is missing and could not be installed" >&2; exit 1; }
ensure_apt cc gcc || { echo "test_examples.sh: no C compiler" >&2; exit 1; }
ensure_apt c++ g++ || { echo "test_examples.sh: no C++ compiler" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
bash "$root/Sources/SwiftLossABI/install.sh" "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
unset LD_LIBRARY_PATH
echo "swiftloss $version installed into $prefix; PKG_CONFIG_PATH=$PKG_CONFIG_PATH"

c_example() {
    # shellcheck disable=SC2046
    cc -std=c99 -Wall -Wextra -Werror -pedantic "$root/examples/c/articles.c" \
        $(pkg-config --cflags --libs swiftloss) -o "$tmp/articles_c" || return 1
    check_article_A C "$("$tmp/articles_c")"
}

cpp_example() {
    # shellcheck disable=SC2046
    c++ -std=c++11 -Wall -Wextra -Werror -pedantic "$root/examples/cpp/articles.cpp" \
        $(pkg-config --cflags --libs swiftloss) -o "$tmp/articles_cpp" || return 1
    check_article_A C++ "$("$tmp/articles_cpp")"
}

rust_example() {
    # A copy, so that cargo's Cargo.lock and target/ stay out of the source tree.
    cp -r "$root/examples/rust" "$tmp/rust"
    rm -rf "$tmp/rust/target" "$tmp/rust/Cargo.lock"
    (cd "$tmp/rust" && cargo build --release --offline --quiet) || return 1
    check_article_A Rust "$("$tmp/rust/target/release/swiftloss-articles")"
}

ctypes_example() {
    # No numpy, no extension: a Python with nothing but the standard library would do.
    check_article_A "Python ctypes" "$(python3 -S -s "$root/examples/python-ctypes/articles.py")"
}

swift_package_example() {
    swift build --package-path "$root/examples/swift-package" --scratch-path "$tmp/swift-build" \
        -c release 2>&1 | grep -v '^\[' || true
    [[ -x $tmp/swift-build/release/ArticleA ]] || return 1
    check_article_A Swift "$("$tmp/swift-build/release/ArticleA")"
}

# The README's short examples (once it has them), word for word: each prints
# "cross_entropy with label_smoothing=0.1: 1.3669".
readme_expect() {
    local output=$1
    echo "$output"
    [[ $output == "cross_entropy with label_smoothing=0.1: 1.3669" ]]
}

readme_cpp() {
    readme_block cpp swiftloss_cross_entropy_f32 > "$tmp/readme.cpp"
    # shellcheck disable=SC2046
    c++ -std=c++11 -Wall -Wextra -Werror "$tmp/readme.cpp" $(pkg-config --cflags --libs swiftloss) \
        -o "$tmp/readme_cpp" || return 1
    readme_expect "$("$tmp/readme_cpp")"
}

readme_rust() {
    # examples/rust's Cargo.toml and build.rs, the README's main.rs.
    mkdir -p "$tmp/readme-rust/src"
    cp "$root/examples/rust/Cargo.toml" "$root/examples/rust/build.rs" "$tmp/readme-rust/"
    readme_block rust swiftloss_cross_entropy_f32 > "$tmp/readme-rust/src/main.rs"
    (cd "$tmp/readme-rust" && cargo build --offline --quiet) || return 1
    readme_expect "$("$tmp/readme-rust/target/debug/swiftloss-articles")"
}

readme_ctypes() {
    readme_block python ctypes.CDLL > "$tmp/readme_ctypes.py"
    # The example loads libswiftloss.so.0 by name: here the loader finds it in the prefix.
    readme_expect "$(LD_LIBRARY_PATH=$prefix/lib python3 -S -s "$tmp/readme_ctypes.py")"
}

readme_swift() {
    # The README's Swift example as the main.swift of a package that depends on this one.
    local dir=$tmp/readme-swift
    mkdir -p "$dir/Sources/ReadmeExample"
    cat > "$dir/Package.swift" <<SWIFT
// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "ReadmeExample",
    dependencies: [.package(name: "swiftloss", path: "$root")],
    targets: [.executableTarget(name: "ReadmeExample", dependencies: [.product(name: "SwiftLoss", package: "swiftloss")])]
)
SWIFT
    { readme_block swift "import SwiftLoss"; echo 'print("cross_entropy with label_smoothing=0.1: \((loss[0] * 10000).rounded() / 10000)")'; } \
        > "$dir/Sources/ReadmeExample/main.swift"
    swift build --package-path "$dir" --scratch-path "$tmp/readme-swift-build" 2>&1 | grep -v '^\[' || true
    [[ -x $tmp/readme-swift-build/debug/ReadmeExample ]] || return 1
    readme_expect "$("$tmp/readme-swift-build/debug/ReadmeExample")"
}

step "C (examples/c)" c_example
step "C++ (examples/cpp)" cpp_example
[[ -n $(readme_block cpp swiftloss_cross_entropy_f32) ]] && step "README: C++ example" readme_cpp
[[ -d $HOME/.cargo/bin ]] && export PATH="$PATH:$HOME/.cargo/bin"
if command -v cargo >/dev/null || ensure_apt cargo cargo; then
    step "Rust (examples/rust, cargo build --offline)" rust_example
    [[ -n $(readme_block rust swiftloss_cross_entropy_f32) ]] && step "README: Rust example" readme_rust
else
    echo "== Rust: SKIPPED (no cargo on PATH or in ~/.cargo/bin, and apt-get could not install it)"
fi
step "Python ctypes (examples/python-ctypes)" ctypes_example
[[ -n $(readme_block python ctypes.CDLL) ]] && step "README: Python ctypes example" readme_ctypes
if command -v swift >/dev/null; then
    step "Swift package (examples/swift-package, .package(path: \"../..\"))" swift_package_example
    [[ -n $(readme_block swift "import SwiftLoss") ]] && step "README: Swift example" readme_swift
else
    echo "== Swift package: SKIPPED (no swift on PATH or in /opt/swift/usr/bin)"
fi
finish
