"""swiftloss.torch beyond first-order backward, against torch itself: double backward
(gradient penalties, MAML meta-gradients, Hessian-vector products, a third derivative),
torch.func (grad, vjp, jacrev, jacfwd, hessian, jvp, vmap), torch.compile(fullgraph=True)
with the default and "eager" backends, autocast, torch's argument types, and the warning of
the numpy-level functions given a tensor that requires grad.

Tolerances: float32 1e-5, float64 1e-10 (relative, with a matching absolute floor).
Needs PyTorch: `make test` installs it and sets SWIFTLOSS_REQUIRE_TORCH=1, so that a missing
torch fails the run instead of skipping these tests."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the bridge is compared with torch only when it is")
import torch.nn.functional as TF  # noqa: E402

import composites  # noqa: E402
import swiftloss  # noqa: E402
import swiftloss.torch as sl  # noqa: E402

# The regression cases broadcast on purpose; torch and swiftloss both warn about it.
pytestmark = pytest.mark.filterwarnings("ignore:Using a target size")

TOLERANCE = {torch.float32: dict(rtol=1e-5, atol=1e-6), torch.float64: dict(rtol=1e-10, atol=1e-12)}
# The absolute floor scales with the largest magnitude compared: sums of many float32 terms
# that cancel leave round-off of the size of the terms, not of the result.
DTYPES = [torch.float32, torch.float64]
DTYPE_IDS = ["float32", "float64"]


def generator(seed):
    return torch.Generator().manual_seed(seed)


def close(a, b, dtype):
    tolerance = dict(TOLERANCE[dtype])
    scale = float(b.detach().abs().max()) if b.numel() else 1.0
    tolerance["atol"] *= max(1.0, scale)
    torch.testing.assert_close(a, b, **tolerance)


# ------------------------------------------------------------------------------------------
# Every loss of the bridge, as (swiftloss's function, torch's, the data it is applied to):
# each case maps logits z (N, C) to the loss's input (probabilities for BCE, log-probabilities
# for nll_loss and kl_div), so a model's output can feed every loss the same way.
# ------------------------------------------------------------------------------------------

N, C = 6, 5


def _cases(dtype):
    g = generator(11)
    labels = torch.randint(0, C, (N,), generator=g)
    labels[2] = -100  # ignored
    probabilities = torch.softmax(torch.randn(N, C, dtype=dtype, generator=g), 1)
    binary = torch.rand(N, C, dtype=dtype, generator=g)
    weight = torch.rand(C, dtype=dtype, generator=g) + 0.5
    pos_weight = torch.rand(C, dtype=dtype, generator=g) + 0.5
    regression = torch.randn(N, C, dtype=dtype, generator=g)
    element_weight = torch.rand(N, C, dtype=dtype, generator=g) + 0.5
    signs = torch.randint(0, 2, (N, C), generator=g).to(dtype) * 2 - 1
    hinge_targets = signs.clone()
    hinge_targets[0] = 0.0  # neither 1 nor -1: both terms, as torch
    counts = torch.randint(0, 5, (N, C), generator=g).to(dtype)  # Poisson targets, some above 1
    margin_labels = torch.randint(0, C, (N,), generator=g)
    label_lists = torch.randint(-1, C, (N, C), generator=g)  # rows of lists, -1, and entries after it
    label_lists[:, 0] = margin_labels
    label_lists[1, 1] = label_lists[1, 0]  # a duplicate
    label_lists[2] = torch.arange(C)  # every class a target
    label_lists[3, 0] = -1  # an empty list
    variances = torch.rand(N, C, dtype=dtype, generator=g) + 0.2
    return {
        "cross_entropy": (lambda f: lambda z, r: f(z, labels, reduction=r), None),
        "cross_entropy_smoothed_weighted": (
            lambda f: lambda z, r: f(z, labels, weight=weight, reduction=r, label_smoothing=0.2), None),
        "cross_entropy_probabilities": (
            lambda f: lambda z, r: f(z, probabilities, weight=weight, reduction=r, label_smoothing=0.1), None),
        "nll_loss": (lambda f: lambda z, r: f(torch.log_softmax(z, 1), labels, weight=weight, reduction=r), None),
        "binary_cross_entropy": (lambda f: lambda z, r: f(torch.sigmoid(z), binary, weight=weight, reduction=r), None),
        "binary_cross_entropy_with_logits": (
            lambda f: lambda z, r: f(z, binary, weight=weight, pos_weight=pos_weight, reduction=r), None),
        "kl_div": (lambda f: lambda z, r: f(torch.log_softmax(z, 1), probabilities,
                                            reduction="batchmean" if r == "mean" else r), None),
        "mse_loss": (lambda f: lambda z, r: f(z, regression, reduction=r), None),
        "mse_loss_weighted": (lambda f: lambda z, r: f(z, regression, reduction=r, weight=element_weight), "mse_loss"),
        "mse_loss_broadcast_target": (lambda f: lambda z, r: f(z, regression[0], reduction=r), "mse_loss"),
        "mse_loss_broadcast_input": (lambda f: lambda z, r: f(z[:1].tanh(), regression, reduction=r), "mse_loss"),
        "l1_loss_weighted": (lambda f: lambda z, r: f(z, regression, reduction=r, weight=element_weight), "l1_loss"),
        "smooth_l1_loss": (lambda f: lambda z, r: f(z, regression, reduction=r, beta=0.7), None),
        "huber_loss_weighted": (lambda f: lambda z, r: f(z, regression, reduction=r, delta=0.6, weight=element_weight),
                                "huber_loss"),
        "soft_margin_loss": (lambda f: lambda z, r: f(z, signs, reduction=r), None),
        "hinge_embedding_loss": (lambda f: lambda z, r: f(z, hinge_targets, margin=0.3, reduction=r), None),
        "poisson_nll_loss": (lambda f: lambda z, r: f(z, counts, reduction=r), None),
        "multilabel_soft_margin_loss": (lambda f: lambda z, r: f(z, binary, weight, reduction=r), None),
        "multi_margin_loss": (lambda f: lambda z, r: f(z, margin_labels, p=2, margin=0.6, weight=weight, reduction=r),
                              None),
        "multi_margin_loss_p1": (lambda f: lambda z, r: f(z, margin_labels, margin=-0.1, reduction=r),
                                 "multi_margin_loss"),
        "multilabel_margin_loss": (lambda f: lambda z, r: f(z, label_lists, reduction=r), None),
        "poisson_nll_loss_rates_full": (
            lambda f: lambda z, r: f(z.exp() + 0.1, counts, log_input=False, full=True, eps=1e-3, reduction=r),
            "poisson_nll_loss"),
        "gaussian_nll_loss": (lambda f: lambda z, r: f(z, regression, variances, full=True, reduction=r), None),
        # both learned inputs from the model: the mean and (one per row) the variance
        "gaussian_nll_loss_learned_var": (
            lambda f: lambda z, r: f(z.tanh(), regression, TF.softplus(z[:, 0]) + 0.1, eps=1e-3, reduction=r),
            "gaussian_nll_loss"),
    }


# torch's multi_margin_loss and multilabel_margin_loss have no second derivative and no forward
# mode ("derivative for aten::multi_margin_loss_backward is not implemented"): the suite compares
# the bridge with torch composites of them (composites.py), which equal torch's kernels in value
# and first derivative (test_composites_are_torchs_losses); torch's kernels themselves where
# only those are needed (autocast).
COMPOSITES = {"multi_margin_loss": composites.multi_margin_loss,
              "multilabel_margin_loss": composites.multilabel_margin_loss}


def _functions(name, composite=True):
    base = _cases(torch.float64)[name][1] or name.split("_smoothed")[0].replace("_probabilities", "")
    theirs = COMPOSITES[base] if composite and base in COMPOSITES else getattr(TF, base)
    return getattr(sl, base), theirs


LOSSES = list(_cases(torch.float64))
REDUCTIONS = ["mean", "sum", "none"]


def loss_pair(name, dtype, reduction, composite=True):
    """(swiftloss's loss of z, torch's loss of z), both reduced to a scalar for 'none' by a
    fixed random weighting (so that 'none' gradients are checked per element)."""
    ours, theirs = _functions(name, composite)
    make = _cases(dtype)[name][0]
    mix = torch.rand(N, C, dtype=dtype, generator=generator(5)) + 0.5

    def reduce(value):
        return value if value.dim() == 0 else (value * (mix[: value.shape[0]] if value.dim() == 2 else mix[:, 0])).sum()

    return (lambda z: reduce(make(ours)(z, reduction)), lambda z: reduce(make(theirs)(z, reduction)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", [n for n in LOSSES if _functions(n)[1] is not _functions(n, False)[1]])
def test_composites_are_torchs_losses(name, reduction):
    """The composites standing in for torch's kernels give torch's values and gradients."""
    z = torch.randn(N, C, dtype=torch.float64, generator=generator(40), requires_grad=True)
    composite, kernel = (loss_pair(name, torch.float64, reduction, flag)[1] for flag in (True, False))
    values, grads = [], []
    for f in (composite, kernel):
        value = f(z)
        values.append(value)
        grads.append(torch.autograd.grad(value, z)[0])
    close(values[0], values[1], torch.float64)
    close(grads[0], grads[1], torch.float64)


def mlp(dtype, seed=0):
    g = generator(seed)
    return (torch.randn(N, 4, dtype=dtype, generator=g), torch.randn(4, 8, dtype=dtype, generator=g),
            torch.randn(8, C, dtype=dtype, generator=g))


# ------------------------------------------------------------------------------------------
# Double backward
# ------------------------------------------------------------------------------------------

def second_order_cases(reductions):
    """(name, reduction) pairs for the second-derivative tests, less the one combination the
    bridge refuses by design (test_second_derivative_of_a_broadcast_none_loss_raises checks
    that it raises): a 'none' loss whose input was broadcast against a larger target."""
    return [(n, r) for n in LOSSES for r in reductions if not (n == "mse_loss_broadcast_input" and r == "none")]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, reduction", second_order_cases(REDUCTIONS))
def test_gradient_penalty(name, reduction, dtype):
    """The issue's example for every loss: d/dW2 of |d loss / d W1|^2 through a tanh layer."""
    x, w1, w2 = mlp(dtype)
    results = []
    for loss in loss_pair(name, dtype, reduction):
        a, b = w1.clone().requires_grad_(), w2.clone().requires_grad_()
        value = loss(torch.tanh(x @ a) @ b)
        (g1,) = torch.autograd.grad(value, a, create_graph=True)
        g1.pow(2).sum().backward()
        results.append((value.detach(), a.grad, b.grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, reduction", second_order_cases(["mean", "none"]))
def test_maml_meta_gradient(name, reduction, dtype):
    """One inner SGD step with create_graph=True, the outer loss at the adapted weights."""
    x, w1, w2 = mlp(dtype, seed=3)
    results = []
    for loss in loss_pair(name, dtype, reduction):
        a, b = w1.clone().requires_grad_(), w2.clone().requires_grad_()
        inner = loss(torch.tanh(x @ a) @ b)
        ga, gb = torch.autograd.grad(inner, (a, b), create_graph=True)
        a2, b2 = a - 0.3 * ga, b - 0.3 * gb
        loss(torch.tanh(x.flip(0) @ a2) @ b2).backward()
        results.append((a.grad, b.grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, reduction", second_order_cases(REDUCTIONS))
def test_hessian_vector_product(name, reduction, dtype):
    z = torch.randn(N, C, dtype=dtype, generator=generator(7))
    v = torch.randn(N, C, dtype=dtype, generator=generator(8))
    ours, theirs = (torch.autograd.functional.hvp(f, z, v) for f in loss_pair(name, dtype, reduction))
    close(ours[0], theirs[0], dtype)
    close(ours[1], theirs[1], dtype)


@pytest.mark.parametrize("name", LOSSES)
def test_third_derivative(name):
    """create_graph=True twice: the second backward is differentiable too."""
    dtype = torch.float64
    z0 = torch.randn(N, C, dtype=dtype, generator=generator(9))
    v = torch.randn(N, C, dtype=dtype, generator=generator(10))
    results = []
    for loss in loss_pair(name, dtype, "sum"):
        z = z0.clone().requires_grad_()
        (g,) = torch.autograd.grad(loss(z), z, create_graph=True)
        h = None
        if g.requires_grad:  # a piecewise-linear loss: torch's g is constant
            (h,) = torch.autograd.grad((g * v).sum(), z, create_graph=True, allow_unused=True)
        k = None
        if h is not None and h.requires_grad:  # a quadratic loss: h is constant
            (k,) = torch.autograd.grad((h * v).sum(), z, allow_unused=True)
        results.append(torch.zeros_like(z) if k is None else k)
    close(results[0], results[1], dtype)


def test_second_derivative_of_a_broadcast_none_loss_raises():
    """The one case the bridge does not support: it says so instead of returning a number."""
    z = torch.randn(1, C, dtype=torch.float64, generator=generator(30), requires_grad=True)
    target = torch.randn(N, C, dtype=torch.float64, generator=generator(31))
    loss = sl.mse_loss(z, target, reduction="none")
    (g,) = torch.autograd.grad(loss, z, torch.ones_like(loss), create_graph=True)
    close(g, torch.autograd.grad(TF.mse_loss(z, target, reduction="none"), z, torch.ones_like(loss))[0], torch.float64)
    with pytest.raises(RuntimeError, match="second derivatives of a reduction='none' loss whose input was broadcast"):
        g.sum().backward()


def test_plain_backward_builds_no_second_order_graph():
    """Without create_graph the backward is the saved gradient times grad_output: nothing
    requires grad afterwards, and the result is torch's."""
    z = torch.randn(N, C, generator=generator(1), requires_grad=True)
    y = torch.randint(0, C, (N,), generator=generator(2))
    (g,) = torch.autograd.grad(sl.cross_entropy(z, y, label_smoothing=0.1), z)
    assert not g.requires_grad and g.grad_fn is None
    (expected,) = torch.autograd.grad(TF.cross_entropy(z, y, label_smoothing=0.1), z)
    close(g, expected, torch.float32)


# ------------------------------------------------------------------------------------------
# torch.func
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("transform", ["grad", "vjp", "jacrev", "jacfwd", "hessian", "jvp", "vmap_grad"])
@pytest.mark.parametrize("name", LOSSES)
def test_torch_func(name, transform):
    dtype = torch.float64
    z = torch.randn(N, C, dtype=dtype, generator=generator(12))
    v = torch.randn(N, C, dtype=dtype, generator=generator(13))
    results = []
    for reduction in ("mean", "none"):
        if name == "mse_loss_broadcast_input" and reduction == "none" and transform in ("hessian",):
            continue  # refused by design (see unsupported)
        pair = loss_pair(name, dtype, reduction)
        if transform in ("hessian", "jacfwd", "jvp"):
            try:
                torch.func.hessian(pair[1])(z) if transform == "hessian" else torch.func.jacfwd(pair[1])(z)
            except NotImplementedError:
                # torch has no forward-mode formula for soft_margin_loss's backward: the bridge's
                # forward mode runs on its reverse-mode Hessian-vector products, so compare with
                # torch's reverse-over-reverse result instead.
                ours = torch.func.hessian(pair[0])(z) if transform == "hessian" else torch.func.jacfwd(pair[0])(z)
                theirs = (torch.func.jacrev(torch.func.jacrev(pair[1]))(z) if transform == "hessian"
                          else torch.func.jacrev(pair[1])(z))
                close(ours, theirs, dtype)
                continue
        for loss in pair:
            if transform == "grad":
                r = torch.func.grad(loss)(z)
            elif transform == "vjp":
                value, pullback = torch.func.vjp(loss, z)
                r = (value, pullback(torch.tensor(1.5, dtype=dtype))[0])
            elif transform == "jacrev":
                r = torch.func.jacrev(loss)(z)
            elif transform == "jacfwd":
                r = torch.func.jacfwd(loss)(z)
            elif transform == "hessian":
                r = torch.func.hessian(loss)(z)
            elif transform == "jvp":
                r = torch.func.jvp(loss, (z,), (v,))
            else:  # per-sample gradients of the loss of one row
                per_row = torch.func.grad(lambda row, i, loss=loss: loss(torch.where(torch.arange(N)[:, None] == i, row, z)))
                if loss is pair[1] and name in TORCH_VMAP_REFUSES:
                    r = torch.stack([per_row(z[i], torch.tensor(i)) for i in range(N)])
                else:
                    r = torch.func.vmap(per_row)(z, torch.arange(N))
            results.append(r)
    for ours, theirs in zip(results[0::2], results[1::2]):
        if isinstance(ours, tuple):
            for a, b in zip(ours, theirs):
                close(a, b, dtype)
        else:
            close(ours, theirs, dtype)


# torch's own gaussian_nll_loss branches on var's values (its sign check): under vmap with a
# batched var it raises ("data-dependent control flow"); the bridge's op checks the values per
# batch entry, so it is compared with a loop over torch's loss instead.
TORCH_VMAP_REFUSES = {"gaussian_nll_loss_learned_var"}


@pytest.mark.parametrize("name", LOSSES)
def test_vmap_over_the_loss(name):
    """vmap over a leading batch of inputs gives each entry's loss ('none' and reduced)."""
    dtype = torch.float64
    zs = torch.randn(3, N, C, dtype=dtype, generator=generator(14))
    for reduction in ("mean", "none"):
        ours_f, theirs_f = loss_pair(name, dtype, reduction)
        ours = torch.func.vmap(ours_f)(zs)
        if name in TORCH_VMAP_REFUSES:
            with pytest.raises(RuntimeError, match="data-dependent control flow"):
                torch.func.vmap(theirs_f)(zs)
            theirs = torch.stack([theirs_f(z) for z in zs])
        else:
            theirs = torch.func.vmap(theirs_f)(zs)
        close(ours, theirs, dtype)
        close(ours, torch.stack([loss_pair(name, dtype, reduction)[0](z) for z in zs]), dtype)


def test_vmap_jacrev_of_none_losses_per_sample():
    """jacrev of a 'none' loss: one row of gradients per sample (vmap over the backward)."""
    z = torch.randn(N, C, dtype=torch.float64, generator=generator(15))
    y = torch.randint(0, C, (N,), generator=generator(16))
    ours = torch.func.jacrev(lambda u: sl.cross_entropy(u, y, reduction="none", label_smoothing=0.1))(z)
    theirs = torch.func.jacrev(lambda u: TF.cross_entropy(u, y, reduction="none", label_smoothing=0.1))(z)
    close(ours, theirs, torch.float64)


# ------------------------------------------------------------------------------------------
# torch.compile
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["inductor", "eager"])
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy_with_logits"])
def test_compiled_training_step_has_no_graph_break_and_torchs_numbers(loss, backend):
    """The model and the bridge's loss compile with fullgraph=True (a graph break raises);
    the loss and the gradients after backward and an SGD step are torch's."""
    torch._dynamo.reset()
    torch.manual_seed(0)
    x = torch.randn(16, 8)
    y = torch.randint(0, 3, (16,)) if loss == "cross_entropy" else torch.rand(16, 3)
    kwargs = dict(label_smoothing=0.1) if loss == "cross_entropy" else dict(pos_weight=torch.full((3,), 2.0))
    results = []
    for f, compiled in ((getattr(sl, loss), True), (getattr(TF, loss), False)):
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
        model.load_state_dict(_fixed_state(model))  # the same weights for both
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def forward(inputs, targets, model=model, f=f):
            return f(model(inputs), targets, **kwargs)

        step = torch.compile(forward, fullgraph=True, backend=backend) if compiled else forward
        losses = []
        for _ in range(3):
            optimizer.zero_grad()
            value = step(x, y)
            value.backward()
            optimizer.step()
            losses.append(value.detach())
        results.append((torch.stack(losses), [p.detach().clone() for p in model.parameters()]))
    torch.testing.assert_close(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    for ours, theirs in zip(results[0][1], results[1][1]):
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


def _fixed_state(model):
    g = generator(21)
    return {k: torch.randn(v.shape, generator=g) * 0.3 for k, v in model.state_dict().items()}


def test_custom_ops_pass_torch_library_opcheck():
    """torch.library.opcheck: the fake (meta) implementations agree with the real ones in
    shape and dtype, and the ops' registrations are consistent, for each op and reduction."""
    z = torch.randn(N, C, dtype=torch.float64, generator=generator(17))
    y = torch.randint(0, C, (N,), generator=generator(18))
    p = torch.rand(N, C, dtype=torch.float64, generator=generator(19))
    w = torch.rand(C, dtype=torch.float64, generator=generator(20))
    for need in (False, True):
        for r in REDUCTIONS:
            torch.library.opcheck(torch.ops.swiftloss.cross_entropy.default, (z, y, w, -100, r, 0.1, need))
            torch.library.opcheck(torch.ops.swiftloss.cross_entropy.default, (z, torch.softmax(p, 1), None, -100, r, 0.0, need))
            torch.library.opcheck(torch.ops.swiftloss.cross_entropy.default, (z[0], y[0], None, -100, r, 0.0, need))
            torch.library.opcheck(torch.ops.swiftloss.nll_loss.default, (z, y, w, -100, r, need))
            torch.library.opcheck(torch.ops.swiftloss.binary_cross_entropy.default, (p, p.flip(0), w, r, need))
            torch.library.opcheck(torch.ops.swiftloss.binary_cross_entropy_with_logits.default, (z, p, w, w, r, need))
            torch.library.opcheck(torch.ops.swiftloss.multi_margin_loss.default, (z, y, 2, 0.5, w, r, need))
            torch.library.opcheck(torch.ops.swiftloss.multi_margin_loss.default, (z[0], y[0], 1, 1.0, None, r, need))
            torch.library.opcheck(torch.ops.swiftloss.multilabel_margin_loss.default, (z, (p * C).long() - 1, r, need))
            torch.library.opcheck(torch.ops.swiftloss.multilabel_margin_loss.default, (z[0], y[:C].clamp_max(C - 1), r, need))
        for r in REDUCTIONS + ["batchmean"]:
            torch.library.opcheck(torch.ops.swiftloss.kl_div.default, (z, p, r, False, need))
            torch.library.opcheck(torch.ops.swiftloss.kl_div.default, (z[:1], p, r, True, need))


# ------------------------------------------------------------------------------------------
# autocast
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("low", [torch.bfloat16, torch.float16], ids=["bfloat16", "float16"])
@pytest.mark.parametrize("name", LOSSES)
def test_autocast_runs_the_losses_in_float32_as_torch(name, low):
    """Under CPU autocast torch's losses run in float32 and return float32, for low-precision
    and float32 inputs alike; the bridge returns the same dtype and numbers, and the gradient
    reaches the low-precision input in its dtype."""
    ours, theirs = loss_pair(name, torch.float32, "mean", composite=False)
    for source in (low, torch.float32):
        z0 = torch.randn(N, C, generator=generator(22)).to(source)
        values, grads = [], []
        for f in (ours, theirs):
            z = z0.clone().requires_grad_()
            with torch.autocast("cpu", dtype=low):
                value = f(z)
            value.backward()
            values.append(value)
            grads.append(z.grad)
        assert values[0].dtype == values[1].dtype == torch.float32
        assert grads[0].dtype == grads[1].dtype == source
        # torch's multilabel_soft_margin_loss and gaussian_nll_loss are composites whose
        # logsigmoid, and log of a low-precision var, run in the low-precision dtype under
        # autocast; swiftloss computes them in float32 (documented).
        loose = name in ("multilabel_soft_margin_loss", "gaussian_nll_loss_learned_var") and source == low
        torch.testing.assert_close(values[0], values[1], rtol=1e-2 if loose else 1e-5, atol=1e-3 if loose else 1e-6)
        torch.testing.assert_close(grads[0].float(), grads[1].float(), rtol=1e-2, atol=1e-3)


def test_autocast_leaves_float64_alone():
    z = torch.randn(N, C, dtype=torch.float64, generator=generator(23))
    y = torch.randint(0, C, (N,), generator=generator(24))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ours, theirs = sl.cross_entropy(z, y), TF.cross_entropy(z, y)
    assert ours.dtype == theirs.dtype == torch.float64
    close(ours, theirs, torch.float64)


# ------------------------------------------------------------------------------------------
# Argument types, as torch checks them
# ------------------------------------------------------------------------------------------

def _torch_type_error(call):
    with pytest.raises(TypeError) as info:
        call()
    return str(info.value)


ARGUMENT_CASES = {
    "cross_entropy target list": lambda m, x, y, p: m.cross_entropy(x, [0, 1, 2]),
    "cross_entropy weight list": lambda m, x, y, p: m.cross_entropy(x, y, weight=[1.0, 2, 3, 4]),
    "cross_entropy label_smoothing str": lambda m, x, y, p: m.cross_entropy(x, y, label_smoothing="0.1"),
    "cross_entropy ignore_index float": lambda m, x, y, p: m.cross_entropy(x, y, ignore_index=1.5),
    "cross_entropy ignore_index bool": lambda m, x, y, p: m.cross_entropy(x, y, ignore_index=True),
    "cross_entropy input list": lambda m, x, y, p: m.cross_entropy([[1.0, 2.0]], y),
    "nll_loss target list": lambda m, x, y, p: m.nll_loss(x, [0, 1, 2]),
    "nll_loss weight list": lambda m, x, y, p: m.nll_loss(x, y, weight=[1.0, 2, 3, 4]),
    "nll_loss ignore_index float": lambda m, x, y, p: m.nll_loss(x, y, ignore_index=1.5),
    "bce_with_logits weight list": lambda m, x, y, p: m.binary_cross_entropy_with_logits(x, p, weight=[1.0] * 4),
    "bce_with_logits pos_weight list": lambda m, x, y, p: m.binary_cross_entropy_with_logits(x, p, pos_weight=[1.0] * 4),
    "kl_div target list": lambda m, x, y, p: m.kl_div(x, [[0.0] * 4] * 3, reduction="sum"),
    "kl_div log_target str": lambda m, x, y, p: m.kl_div(x, p, reduction="sum", log_target="yes"),
    "kl_div log_target int": lambda m, x, y, p: m.kl_div(x, p, reduction="sum", log_target=1),
}


@pytest.mark.parametrize("case", list(ARGUMENT_CASES))
def test_argument_types_raise_torchs_type_error(case):
    x, y, p = torch.randn(3, 4), torch.tensor([0, 1, 2]), torch.rand(3, 4)
    call = ARGUMENT_CASES[case]
    assert _torch_type_error(lambda: call(sl, x, y, p)) == _torch_type_error(lambda: call(TF, x, y, p))


@pytest.mark.parametrize("function", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_losses_name_a_non_tensor_target(function):
    """torch raises AttributeError ('list' object has no attribute 'size') here; swiftloss a
    TypeError in the form of torch's other messages."""
    p = torch.rand(3, 4)
    message = _torch_type_error(lambda: getattr(sl, function)(p, [[0.0] * 4] * 3))
    assert message == f"{function}(): argument 'target' (position 2) must be Tensor, not list"
    message = _torch_type_error(lambda: getattr(sl, function)(p, p, weight=[1.0] * 4))
    assert message == f"{function}(): argument 'weight' (position 3) must be Tensor, not list"


def test_numbers_torch_accepts_are_accepted():
    x, y = torch.randn(3, 4), torch.tensor([0, 1, 2])
    for kwargs in (dict(label_smoothing=0), dict(label_smoothing=np.float32(0.1)), dict(ignore_index=np.int64(1))):
        close(sl.cross_entropy(x, y, **kwargs), TF.cross_entropy(x, y, **kwargs), torch.float32)
    with pytest.raises(ValueError, match="1 is not a valid value for reduction"):
        sl.cross_entropy(x, y, reduction=1)


# ------------------------------------------------------------------------------------------
# The numpy-level API given tensors that require grad
# ------------------------------------------------------------------------------------------

def test_numpy_api_warns_once_for_a_tensor_that_requires_grad():
    swiftloss.functional._warned_about_autograd.clear()
    x = torch.randn(3, 4, requires_grad=True)
    y = torch.tensor([0, 1, 2])
    with pytest.warns(swiftloss.NoAutogradWarning, match=r"swiftloss\.torch\.cross_entropy") as record:
        swiftloss.cross_entropy(x, y)
    assert record[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        swiftloss.cross_entropy(x, y)  # once only
        swiftloss.cross_entropy(x.detach(), y)
        with torch.no_grad():
            swiftloss.binary_cross_entropy_with_logits(x, torch.rand(3, 4))  # no graph wanted: no warning


@pytest.mark.parametrize("name", LOSSES)
def test_forward_mode_dual_tensors(name):
    """torch.autograd.forward_ad outside torch.func: the tangent of the loss is torch's (the
    loss takes its autograd Function for a dual input even without requires_grad)."""
    import torch.autograd.forward_ad as fwAD

    dtype = torch.float64
    z = torch.randn(N, C, dtype=dtype, generator=generator(25))
    v = torch.randn(N, C, dtype=dtype, generator=generator(26))
    for reduction in REDUCTIONS:
        tangents = []
        for loss in loss_pair(name, dtype, reduction):
            with fwAD.dual_level():
                tangents.append(fwAD.unpack_dual(loss(fwAD.make_dual(z, v))).tangent)
        close(tangents[0], tangents[1], dtype)
