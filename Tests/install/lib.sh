# lib.sh - shared by the Tests/install scripts (sourced, not run).
#
# Sets: here (this directory), root (the repository), version (from include/swiftloss.h),
#       library (the built libswiftloss.so; $SWIFTLOSS_LIBRARY or .build/release).
# Gives: step NAME CMD... (runs CMD, prints "-- NAME: ok/FAILED", counts failures),
#        finish (exit status), ensure_lib, ensure_apt CMD PACKAGE, check_article_A LABEL OUTPUT.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH="/opt/swift/usr/bin:$PATH"
version=$(sed -n 's/^#define SWIFTLOSS_VERSION_STRING "\([0-9.]*\)".*/\1/p' "$root/include/swiftloss.h")
library=${SWIFTLOSS_LIBRARY:-$root/.build/release/libswiftloss.so}
failures=0

step() {
    local step_title=$1  # not "name": the steps' own variables would shadow it
    shift
    echo "== $step_title"
    if "$@"; then
        echo "-- $step_title: ok"
    else
        echo "-- $step_title: FAILED"
        failures=$((failures + 1))
    fi
}

finish() {
    if [[ $failures -ne 0 ]]; then
        echo "$(basename "$0"): $failures step(s) FAILED"
        exit 1
    fi
    echo "$(basename "$0"): all steps passed"
}

# The library, built if missing (make lib builds it too).
ensure_lib() {
    if [[ ! -f $library ]]; then
        echo "building $library"
        (cd "$root" && swift build -c release --product swiftloss) || return 1
    fi
}

# ensure_apt COMMAND PACKAGE: installs PACKAGE with apt-get when COMMAND is missing. Returns
# non-zero (without failing the script) when it cannot.
ensure_apt() {
    command -v "$1" >/dev/null && return 0
    command -v apt-get >/dev/null || return 1
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || return 1
        sudo="sudo -n"
    fi
    echo "installing $2 (apt-get) for $1"
    { $sudo apt-get install -y -qq "$2" >/dev/null 2>&1 ||
      { $sudo apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null 2>&1; }; } || return 1
    command -v "$1" >/dev/null
}

# check_article_A LABEL OUTPUT: OUTPUT (an example's stdout) is the version line
# "swiftloss X.Y.Z, article A (LABEL)" followed by article_A.expected, exactly.
check_article_A() {
    local label=$1 output=$2 first
    first=$(head -n 1 <<<"$output")
    if [[ $first != "swiftloss $version, article A ($label)" ]]; then
        echo "first line: '$first', expected 'swiftloss $version, article A ($label)'"
        return 1
    fi
    if ! diff -u "$here/article_A.expected" <(tail -n +2 <<<"$output"); then
        echo "the numbers differ from Tests/install/article_A.expected (diff above)"
        return 1
    fi
    echo "$output"
}

# The README whose examples the tests build (SWIFTLOSS_README: another one, e.g. a draft).
readme=${SWIFTLOSS_README:-$root/README.md}

# readme_block LANG PATTERN: the first ```LANG block of the README that contains PATTERN
# (empty output when there is none).
readme_block() {
    awk -v lang="$1" -v pattern="$2" '
        $0 == "```" lang { on = 1; block = ""; next }
        on && $0 == "```" { on = 0; if (index(block, pattern)) { printf "%s", block; exit } next }
        on { block = block $0 "\n" }
    ' "$readme"
}
