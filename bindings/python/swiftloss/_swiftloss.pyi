"""Low-level bindings to libswiftloss.so: buffers in, status codes raised as exceptions."""
from typing import Any, Optional

# Objects supporting the buffer protocol: C-contiguous float32 ('f') or float64 ('d') data,
# int64 ('q' / 'l') for class-index targets; outputs must be writable.
_Buffer = Any

HEADER_VERSION: str
GIL_THRESHOLD: int
REDUCTION_NONE: int
REDUCTION_SUM: int
REDUCTION_MEAN: int
REDUCTION_BATCHMEAN: int

def version_string() -> str: ...
def kernels_string() -> str: ...
def version_number() -> int: ...
def status_string(status: int, /) -> str: ...
def set_num_threads(n: int, /) -> None: ...
def get_num_threads() -> int: ...
# The common calls of swiftloss.functional in one step (private: None means "take the
# general path").
def _fast_setup(ndarray: Any, empty: Any, float32: Any, float64: Any, /) -> None: ...
def _fast_class(
    which: int, input: Any, target: Any, weight: Any, ignore_index: Any, reduction: Any,
    parameter: Any, p: Any, /
) -> Any: ...
def _fast_axis(which: int, input: Any, dim: Any, /) -> Any: ...
def softmax(input: _Buffer, outer: int, dim: int, inner: int, output: _Buffer, /) -> None: ...
def log_softmax(input: _Buffer, outer: int, dim: int, inner: int, output: _Buffer, /) -> None: ...
def nll_loss(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, output: _Buffer, /,
) -> None: ...
def cross_entropy(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    output: _Buffer, /,
) -> None: ...
def cross_entropy_probs(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    output: _Buffer, /,
) -> None: ...
def binary_cross_entropy(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], reduction: int,
    output: _Buffer, /,
) -> None: ...
def binary_cross_entropy_with_logits(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer],
    pos_weight: Optional[_Buffer], reduction: int, output: _Buffer, /,
) -> None: ...
def kl_div(
    input: _Buffer, target: _Buffer, count: int, batch: int, reduction: int, log_target: int,
    output: _Buffer, /,
) -> None: ...

# Gradients (the header's Gradients section): grad_output has the forward output's size,
# grad_input the forward input's.
def softmax_backward(
    output: _Buffer, grad_output: _Buffer, outer: int, dim: int, inner: int, grad_input: _Buffer, /
) -> None: ...
def log_softmax_backward(
    output: _Buffer, grad_output: _Buffer, outer: int, dim: int, inner: int, grad_input: _Buffer, /
) -> None: ...
def nll_loss_backward(
    target: _Buffer, batch: int, classes: int, inner: int, weight: Optional[_Buffer],
    ignore_index: int, reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def cross_entropy_backward(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def cross_entropy_ex(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    z_loss: float, softcap: float, grad_output: Optional[_Buffer], output: Optional[_Buffer],
    z_output: Optional[_Buffer], grad_input: Optional[_Buffer], probabilities: bool, /,
) -> None: ...
def cross_entropy_fused(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    grad_output: Optional[_Buffer], output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def cross_entropy_probs_backward(
    input: _Buffer, target: _Buffer, batch: int, classes: int, inner: int,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def binary_cross_entropy_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], reduction: int,
    grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def binary_cross_entropy_with_logits_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer],
    pos_weight: Optional[_Buffer], reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def kl_div_backward(
    target: _Buffer, count: int, batch: int, reduction: int, log_target: int,
    grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def mse_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def mse_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def l1_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def l1_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def smooth_l1_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def smooth_l1_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def huber_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def huber_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def soft_margin_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def soft_margin_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def hinge_embedding_loss(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def hinge_embedding_loss_backward(
    input: _Buffer, target: _Buffer, count: int, weight: Optional[_Buffer], parameter: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def poisson_nll_loss(
    input: _Buffer, target: _Buffer, count: int, log_input: int, full: int, eps: float,
    reduction: int, output: _Buffer, /,
) -> None: ...
def poisson_nll_loss_backward(
    input: _Buffer, target: _Buffer, count: int, log_input: int, full: int, eps: float,
    reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def multilabel_soft_margin_loss(
    input: _Buffer, target: _Buffer, batch: int, classes: int, weight: Optional[_Buffer], reduction: int,
    output: _Buffer, /,
) -> None: ...
def multilabel_soft_margin_loss_backward(
    input: _Buffer, target: _Buffer, batch: int, classes: int, weight: Optional[_Buffer], reduction: int,
    grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def margin_ranking_loss(
    input1: _Buffer, input2: _Buffer, target: _Buffer, count: int, margin: float, reduction: int,
    output: _Buffer, /,
) -> None: ...
def margin_ranking_loss_backward(
    input1: _Buffer, input2: _Buffer, target: _Buffer, count: int, margin: float, reduction: int,
    grad_output: _Buffer, grad_input1: Optional[_Buffer], grad_input2: Optional[_Buffer], /,
) -> None: ...
def multi_margin_loss(
    input: _Buffer, target: _Buffer, batch: int, classes: int, p: int, margin: float,
    weight: Optional[_Buffer], reduction: int, output: _Buffer, /,
) -> None: ...
def multi_margin_loss_backward(
    input: _Buffer, target: _Buffer, batch: int, classes: int, p: int, margin: float,
    weight: Optional[_Buffer], reduction: int, grad_output: _Buffer, grad_input: _Buffer, /,
) -> None: ...
def multilabel_margin_loss(
    input: _Buffer, target: _Buffer, batch: int, classes: int, reduction: int, output: _Buffer, /,
) -> None: ...
def multilabel_margin_loss_backward(
    input: _Buffer, target: _Buffer, batch: int, classes: int, reduction: int, grad_output: _Buffer,
    grad_input: _Buffer, /,
) -> None: ...
def gaussian_nll_loss(
    input: _Buffer, target: _Buffer, var: _Buffer, count: int, full: int, eps: float, reduction: int,
    output: _Buffer, /,
) -> None: ...
def gaussian_nll_loss_backward(
    input: _Buffer, target: _Buffer, var: _Buffer, count: int, full: int, eps: float, reduction: int,
    grad_output: _Buffer, grad_input: Optional[_Buffer], grad_var: Optional[_Buffer], /,
) -> None: ...
def cosine_embedding_loss(
    input1: _Buffer, input2: _Buffer, target: _Buffer, batch: int, dim: int, margin: float, reduction: int,
    output: _Buffer, /,
) -> None: ...
def cosine_embedding_loss_backward(
    input1: _Buffer, input2: _Buffer, target: _Buffer, batch: int, dim: int, margin: float, reduction: int,
    grad_output: _Buffer, grad_input1: Optional[_Buffer], grad_input2: Optional[_Buffer], /,
) -> None: ...
def triplet_margin_loss(
    anchor: _Buffer, positive: _Buffer, negative: _Buffer, batch: int, dim: int, margin: float, p: float,
    eps: float, swap: int, reduction: int, output: _Buffer, /,
) -> None: ...
def triplet_margin_loss_backward(
    anchor: _Buffer, positive: _Buffer, negative: _Buffer, batch: int, dim: int, margin: float, p: float,
    eps: float, swap: int, reduction: int, grad_output: _Buffer, grad_anchor: Optional[_Buffer],
    grad_positive: Optional[_Buffer], grad_negative: Optional[_Buffer], /,
) -> None: ...
def ctc_loss(
    log_probs: _Buffer, targets: _Buffer, input_lengths: _Buffer, target_lengths: _Buffer, time: int, batch: int,
    classes: int, target_stride: int, blank: int, reduction: int, zero_infinity: int, output: _Buffer, /,
) -> None: ...
def ctc_loss_backward(
    log_probs: _Buffer, targets: _Buffer, input_lengths: _Buffer, target_lengths: _Buffer, time: int, batch: int,
    classes: int, target_stride: int, blank: int, reduction: int, zero_infinity: int, grad_output: _Buffer,
    grad_log_probs: _Buffer, /,
) -> None: ...
def linear_cross_entropy(
    input: _Buffer, linear_weight: _Buffer, linear_bias: Optional[_Buffer], target: _Buffer, probs: int, batch: int,
    hidden: int, classes: int, weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float,
    z_loss: float, softcap: float, grad_output: Optional[_Buffer], output: _Buffer, z_output: Optional[_Buffer],
    grad_input: Optional[_Buffer], grad_linear_weight: Optional[_Buffer], grad_linear_bias: Optional[_Buffer], /,
) -> None: ...

def vocab_parallel_max(logits: _Buffer, batch: int, shard_classes: int, row_max: _Buffer, /) -> None: ...
def vocab_parallel_stats(
    logits: _Buffer, batch: int, shard_classes: int, vocab_start: int, classes: int, target: _Buffer,
    weight: Optional[_Buffer], ignore_index: int, label_smoothing: float, row_max: _Buffer, stats: _Buffer, /,
) -> None: ...
def vocab_parallel_loss(
    target: _Buffer, batch: int, classes: int, weight: Optional[_Buffer], ignore_index: int, reduction: int,
    label_smoothing: float, row_max: _Buffer, stats: _Buffer, output: _Buffer, /,
) -> None: ...
def vocab_parallel_backward(
    logits: _Buffer, batch: int, shard_classes: int, vocab_start: int, classes: int, target: _Buffer,
    weight: Optional[_Buffer], ignore_index: int, reduction: int, label_smoothing: float, row_max: _Buffer,
    stats: _Buffer, grad_output: _Buffer, grad_logits: _Buffer, /,
) -> None: ...
def vocab_parallel_linear_stats(
    input: _Buffer, linear_weight: _Buffer, linear_bias: Optional[_Buffer], batch: int, hidden: int,
    shard_classes: int, vocab_start: int, classes: int, target: _Buffer, weight: Optional[_Buffer],
    ignore_index: int, label_smoothing: float, local_max: _Buffer, stats: _Buffer, /,
) -> None: ...
def vocab_parallel_rescale(
    local_max: _Buffer, batch: int, shard_classes: int, vocab_start: int, classes: int, target: _Buffer,
    weight: Optional[_Buffer], ignore_index: int, label_smoothing: float, row_max: _Buffer, stats: _Buffer, /,
) -> None: ...
def vocab_parallel_linear_backward(
    input: _Buffer, linear_weight: _Buffer, linear_bias: Optional[_Buffer], batch: int, hidden: int,
    shard_classes: int, vocab_start: int, classes: int, target: _Buffer, weight: Optional[_Buffer],
    ignore_index: int, reduction: int, label_smoothing: float, row_max: _Buffer, stats: _Buffer,
    grad_output: _Buffer, grad_input: Optional[_Buffer], grad_linear_weight: Optional[_Buffer],
    grad_linear_bias: Optional[_Buffer], /,
) -> None: ...
