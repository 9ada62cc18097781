//! Article A with libswiftloss from Rust: softmax, log_softmax, nll_loss, cross_entropy and
//! label smoothing of two samples over four classes, through an `extern "C"` block.
//!
//!     PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig cargo run --release --offline
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use std::process::exit;

/// swiftloss_status: 0 is SWIFTLOSS_OK (the C enum is an int).
type Status = c_int;
const SWIFTLOSS_OK: Status = 0;
const SWIFTLOSS_REDUCTION_MEAN: c_int = 2;

// The declarations of include/swiftloss.h that this program uses (size_t is usize).
extern "C" {
    fn swiftloss_version_string() -> *const c_char;
    fn swiftloss_status_string(status: c_int) -> *const c_char;
    fn swiftloss_softmax_f32(input: *const f32, outer: usize, dim: usize, inner: usize, output: *mut f32) -> Status;
    fn swiftloss_log_softmax_f32(input: *const f32, outer: usize, dim: usize, inner: usize, output: *mut f32) -> Status;
    fn swiftloss_nll_loss_f32(
        input: *const f32, target: *const i64, batch: usize, classes: usize, inner: usize,
        weight: *const f32, weight_len: usize, ignore_index: i64, reduction: c_int, output: *mut f32,
    ) -> Status;
    fn swiftloss_cross_entropy_f32(
        input: *const f32, target: *const i64, batch: usize, classes: usize, inner: usize,
        weight: *const f32, weight_len: usize, ignore_index: i64, reduction: c_int,
        label_smoothing: f64, output: *mut f32,
    ) -> Status;
}

const N: usize = 2; // samples
const C: usize = 4; // classes

fn check(status: Status, what: &str) {
    if status != SWIFTLOSS_OK {
        // Static text, never NULL.
        let text = unsafe { CStr::from_ptr(swiftloss_status_string(status)) };
        eprintln!("{what}: {}", text.to_string_lossy());
        exit(1);
    }
}

fn print_rows(title: &str, x: &[f32; N * C]) {
    println!("{title}:");
    for row in x.chunks(C) {
        let cells: Vec<String> = row.iter().map(|v| format!("{:.6}", f64::from(*v))).collect();
        println!("  [{}]", cells.join(", "));
    }
}

fn main() {
    let preds: [f32; N * C] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1];
    let target: [i64; N] = [2, 3];
    let (mut probs, mut logp) = ([0f32; N * C], [0f32; N * C]);
    let (mut nll, mut ce, mut ce_smooth) = (0f32, 0f32, 0f32);

    let version = unsafe { CStr::from_ptr(swiftloss_version_string()) }.to_string_lossy();
    println!("swiftloss {version}, article A (Rust)");

    // Every buffer below has exactly the size the header asks for.
    unsafe {
        check(swiftloss_softmax_f32(preds.as_ptr(), N, C, 1, probs.as_mut_ptr()), "softmax");
        check(swiftloss_log_softmax_f32(preds.as_ptr(), N, C, 1, logp.as_mut_ptr()), "log_softmax");
    }
    print_rows("softmax(preds, dim=1)", &probs);
    print_rows("log_softmax(preds, dim=1)", &logp);

    // No class weights (null, 0), ignore_index -100, 'mean'.
    let none = std::ptr::null::<f32>();
    unsafe {
        check(swiftloss_nll_loss_f32(logp.as_ptr(), target.as_ptr(), N, C, 1, none, 0, -100,
                                     SWIFTLOSS_REDUCTION_MEAN, &mut nll), "nll_loss");
        check(swiftloss_cross_entropy_f32(preds.as_ptr(), target.as_ptr(), N, C, 1, none, 0, -100,
                                          SWIFTLOSS_REDUCTION_MEAN, 0.0, &mut ce), "cross_entropy");
        check(swiftloss_cross_entropy_f32(preds.as_ptr(), target.as_ptr(), N, C, 1, none, 0, -100,
                                          SWIFTLOSS_REDUCTION_MEAN, 0.1, &mut ce_smooth), "cross_entropy");
    }
    println!("nll_loss(log_softmax(preds), target) = {:.6}", f64::from(nll));
    println!("cross_entropy(preds, target) = {:.6}", f64::from(ce));
    println!("cross_entropy(preds, target, label_smoothing=0.1) = {:.6}", f64::from(ce_smooth));
}
