//! Tells rustc where libswiftloss is: -L, -lswiftloss and an rpath, so that the program runs
//! without LD_LIBRARY_PATH. The directory is, in order:
//!   1. $SWIFTLOSS_LIB_DIR (a directory holding libswiftloss.so and libswiftloss.so.0),
//!   2. `pkg-config --variable=libdir swiftloss` (an installed swiftloss; honours
//!      PKG_CONFIG_PATH),
//!   3. the repository's own build, ../../.build/release (`make lib`); SwiftPM names that
//!      file libswiftloss.so while programs load its SONAME, libswiftloss.so.0, so a
//!      symbolic link of that name is made in OUT_DIR and put first in the rpath.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pkg_config_libdir() -> Option<PathBuf> {
    let output = Command::new("pkg-config")
        .args(["--variable=libdir", "swiftloss"])
        .output()
        .ok()?;
    let dir = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
}

fn link(dir: &Path) {
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
}

fn main() {
    println!("cargo:rerun-if-env-changed=SWIFTLOSS_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");

    if let Some(dir) = env::var_os("SWIFTLOSS_LIB_DIR") {
        link(Path::new(&dir));
    } else if let Some(dir) = pkg_config_libdir() {
        link(&dir);
    } else {
        let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
        let release = manifest.join("../../.build/release");
        let library = release.join("libswiftloss.so");
        if !library.is_file() {
            panic!(
                "libswiftloss not found: install it (make install PREFIX=...) and set \
                 PKG_CONFIG_PATH, set SWIFTLOSS_LIB_DIR, or build it in this checkout (make lib)"
            );
        }
        let library = library.canonicalize().unwrap();
        let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("swiftloss-lib");
        std::fs::create_dir_all(&out).unwrap();
        let soname = out.join("libswiftloss.so.0");
        let _ = std::fs::remove_file(&soname);
        std::os::unix::fs::symlink(&library, &soname).unwrap();
        link(&out);
        link(library.parent().unwrap());
    }
    println!("cargo:rustc-link-lib=dylib=swiftloss");
}
