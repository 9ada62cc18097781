"""Build the swiftloss Python package.

The custom build_ext step
  1. builds libswiftloss.so with `swift build -c release --package-path <repo root>` (the
     repository root is two levels above this file; swift is found on PATH, else at
     /opt/swift/usr/bin/swift),
  2. copies .build/release/libswiftloss.so into the package as swiftloss/libswiftloss.so.0
     (its SONAME, the name the extension asks the loader for),
  3. compiles swiftloss._swiftloss from src/_swiftloss.c against <repo root>/include, linked to
     that library with the rpath $ORIGIN, so the installed extension finds the bundled copy.

Environment:
  SWIFTLOSS_LIBRARY  path of an already built libswiftloss.so to bundle instead of running
                     swift build (for packagers and CI jobs that built it already).
  SWIFT              the swift executable to use.
  SWIFTLOSS_STRIP    0 to bundle the library with its debugging sections (default: stripped).

A wheel (`python3 -m pip wheel ./bindings/python -w dist/`) carries the library and is
self-contained: the library links the Swift runtime statically and needs only libc, libm,
libstdc++ and libgcc_s, so neither the Swift toolchain nor the repository is needed where it
is installed.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEADER = ROOT / "include" / "swiftloss.h"
SONAME = "libswiftloss.so.0"
DEFAULT_SWIFT = "/opt/swift/usr/bin/swift"


def header_version():
    """SWIFTLOSS_VERSION_STRING from the C header: the package version is the library's."""
    text = HEADER.read_text(encoding="utf-8")
    match = re.search(r'#define\s+SWIFTLOSS_VERSION_STRING\s+"([^"]+)"', text)
    if match is None:
        raise RuntimeError(f"SWIFTLOSS_VERSION_STRING not found in {HEADER}")
    return match.group(1)


def find_swift():
    swift = os.environ.get("SWIFT") or shutil.which("swift")
    if swift:
        return swift
    if os.access(DEFAULT_SWIFT, os.X_OK):
        return DEFAULT_SWIFT
    raise RuntimeError(
        "swift was not found on PATH nor at /opt/swift/usr/bin/swift; install a Swift "
        "toolchain or set SWIFTLOSS_LIBRARY to a built libswiftloss.so"
    )


def strip_bundled(path):
    """Drops the bundled copy's debugging sections (12 MB -> 7 MB; the exported symbols stay),
    with `strip --strip-unneeded` when there is a strip. SWIFTLOSS_STRIP=0 keeps them."""
    strip = shutil.which("strip")
    if os.environ.get("SWIFTLOSS_STRIP", "1") == "0" or strip is None:
        return
    result = subprocess.run([strip, "--strip-unneeded", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"warning: strip failed, bundling the library unstripped: {result.stderr.strip()}", flush=True)


class BuildSwiftLoss(build_ext):
    """build_ext that first builds and bundles libswiftloss.so."""

    def run(self):
        library = self.build_swift_library()
        # -lswiftloss finds the library through a libswiftloss.so symlink in build_temp.
        link_dir = Path(self.build_temp).resolve() / "swiftloss-lib"
        link_dir.mkdir(parents=True, exist_ok=True)
        link = link_dir / "libswiftloss.so"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(library, link)
        for ext in self.extensions:
            ext.library_dirs.insert(0, str(link_dir))
        super().run()
        # The extension's rpath is $ORIGIN: put the library beside it, under its SONAME.
        package_dir = Path(self.get_ext_fullpath("swiftloss._swiftloss")).resolve().parent
        package_dir.mkdir(parents=True, exist_ok=True)
        bundled = package_dir / SONAME
        if bundled.is_symlink() or bundled.exists():
            bundled.unlink()
        shutil.copyfile(library, bundled)
        os.chmod(bundled, 0o755)
        strip_bundled(bundled)
        self._bundled = [str(bundled)]

    def build_swift_library(self):
        prebuilt = os.environ.get("SWIFTLOSS_LIBRARY")
        if prebuilt:
            library = Path(prebuilt).resolve()
            if not library.is_file():
                raise RuntimeError(f"SWIFTLOSS_LIBRARY={prebuilt} is not a file")
            return library
        if not (ROOT / "Package.swift").is_file():
            raise RuntimeError(
                f"{ROOT} holds no Package.swift: build from a checkout of the swiftloss "
                "repository, or set SWIFTLOSS_LIBRARY to a built libswiftloss.so"
            )
        command = [find_swift(), "build", "-c", "release", "--package-path", str(ROOT)]
        print("running " + " ".join(command), flush=True)
        subprocess.run(command, check=True)
        library = ROOT / ".build" / "release" / "libswiftloss.so"
        if not library.is_file():
            raise RuntimeError(f"swift build succeeded but {library} does not exist")
        return library

    def get_outputs(self):
        return super().get_outputs() + list(getattr(self, "_bundled", []))


# The limited API of CPython 3.11 (which has the buffer protocol): one cp311-abi3 wheel serves
# every CPython from 3.11 on.
LIMITED_API = 0x030B0000

extension = Extension(
    "swiftloss._swiftloss",
    sources=["src/_swiftloss.c"],
    define_macros=[("Py_LIMITED_API", hex(LIMITED_API))],
    py_limited_api=True,
    include_dirs=[str(ROOT / "include")],
    depends=[str(HEADER)],
    libraries=["swiftloss"],
    extra_compile_args=["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
    # libc named even though the extension calls nothing of it directly (--as-needed, the
    # default of Debian's gcc, would drop it): tools that read a wheel's platform from its
    # extension's own dependencies (auditwheel show) find glibc there.
    extra_link_args=["-Wl,-rpath,$ORIGIN", "-Wl,--push-state,--no-as-needed,-lc,--pop-state"],
)

setup(
    version=header_version(),
    ext_modules=[extension],
    cmdclass={"build_ext": BuildSwiftLoss},
    options={"bdist_wheel": {"py_limited_api": "cp311"}},
)
