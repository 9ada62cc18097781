"""swiftloss.torch, the PyTorch bridge: losses and gradients against torch's own, the
torch.nn drop-ins, and the ImportError without torch. Everything but the ImportError test
needs PyTorch and is skipped, saying so, when it is not installed."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import swiftloss

try:
    import torch
    import torch.nn.functional as TF

    import swiftloss.torch as sl
except ImportError:
    torch = TF = sl = None

needs_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed: swiftloss.torch is compared with torch only when it is"
)

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = ["float32", "float64"]
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-11, atol=1e-13)}


def test_import_without_torch_raises_a_clear_import_error():
    """Runs in a fresh interpreter in which `import torch` fails, whether or not torch is installed."""
    package_parent = os.path.dirname(os.path.dirname(swiftloss.__file__))
    code = (
        "import sys\n"
        "sys.modules['torch'] = None  # as if torch were not installed\n"
        "import swiftloss\n"
        "assert float(swiftloss.cross_entropy([[0.1, 0.2, 0.3, 0.4]], [2])) > 0\n"
        "try:\n"
        "    import swiftloss.torch\n"
        "except ImportError as error:\n"
        "    print(error)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([package_parent, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    assert result.returncode == 0, result.stderr
    assert "swiftloss.torch needs PyTorch, which is not installed (pip install torch)" in result.stdout


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------

def compare(ours, theirs, inputs, dtype, grad_output=None):
    """ours(*inputs) and theirs(*inputs): same loss, same gradient with respect to inputs[0]."""
    x = inputs[0]
    xa = x.detach().clone().requires_grad_(True)
    xb = x.detach().clone().requires_grad_(True)
    a = ours(xa, *inputs[1:])
    b = theirs(xb, *inputs[1:])
    assert a.dtype == b.dtype and a.shape == b.shape
    torch.testing.assert_close(a, b, **TOLERANCE[dtype])
    g = torch.randn(b.shape, dtype=b.dtype, generator=torch.Generator().manual_seed(3)) if grad_output is None else grad_output
    (ga,) = torch.autograd.grad(a, xa, g)
    (gb,) = torch.autograd.grad(b, xb, g)
    torch.testing.assert_close(ga, gb, **TOLERANCE[dtype])


def randn(*shape, dtype="float64", seed=0):
    return torch.randn(*shape, dtype=getattr(torch, dtype), generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------------------------------
# Losses and gradients against torch
# ------------------------------------------------------------------------------------------

@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 3), (5,)], ids=["NC", "NCd1d2", "C"])
def test_cross_entropy_class_indices(dtype, reduction, smoothing, shape, weighted=True):
    x = randn(*shape, dtype=dtype)
    classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    y = torch.randint(0, classes, target_shape, generator=torch.Generator().manual_seed(1))
    if len(shape) > 1:
        y.view(-1)[::4] = -100  # some ignored samples
    w = torch.rand(classes, dtype=x.dtype, generator=torch.Generator().manual_seed(2)) + 0.5
    for weight in (None, w):
        kw = dict(weight=weight, reduction=reduction, label_smoothing=smoothing)
        compare(lambda a, b: sl.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), (x, y), dtype)
        compare(lambda a, b: sl.CrossEntropyLoss(**kw)(a, b), lambda a, b: torch.nn.CrossEntropyLoss(**kw)(a, b),
                (x, y), dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(dtype, reduction):
    x = randn(4, 6, 3, dtype=dtype)
    q = torch.softmax(randn(4, 6, 3, dtype=dtype, seed=5), dim=1)
    w = torch.linspace(0.5, 2.0, 6, dtype=x.dtype)
    kw = dict(weight=w, reduction=reduction, label_smoothing=0.1)
    compare(lambda a, b: sl.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), (x, q), dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(dtype, reduction):
    x = torch.log_softmax(randn(7, 5, dtype=dtype), 1)
    y = torch.tensor([0, 4, -100, 2, 2, 1, 3])
    w = torch.linspace(0.5, 2.0, 5, dtype=x.dtype)
    for weight in (None, w):
        kw = dict(weight=weight, reduction=reduction)
        compare(lambda a, b: sl.nll_loss(a, b, **kw), lambda a, b: TF.nll_loss(a, b, **kw), (x, y), dtype)
        compare(lambda a, b: sl.NLLLoss(**kw)(a, b), lambda a, b: torch.nn.NLLLoss(**kw)(a, b), (x, y), dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(dtype, reduction):
    p = torch.sigmoid(randn(5, 3, dtype=dtype))
    t = torch.rand(5, 3, dtype=p.dtype, generator=torch.Generator().manual_seed(4))
    w = torch.tensor([0.5, 1.0, 2.0], dtype=p.dtype)
    for weight in (None, w):
        kw = dict(weight=weight, reduction=reduction)
        compare(lambda a, b: sl.binary_cross_entropy(a, b, **kw), lambda a, b: TF.binary_cross_entropy(a, b, **kw),
                (p, t), dtype)
        compare(lambda a, b: sl.BCELoss(**kw)(a, b), lambda a, b: torch.nn.BCELoss(**kw)(a, b), (p, t), dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(dtype, reduction):
    x = randn(5, 3, dtype=dtype) * 4
    t = (torch.rand(5, 3, generator=torch.Generator().manual_seed(4)) > 0.5).to(x.dtype)
    w = torch.tensor([0.5, 1.0, 2.0], dtype=x.dtype)
    pw = torch.tensor([3.0, 1.0, 0.25], dtype=x.dtype)
    for weight, pos_weight in ((None, None), (w, None), (None, pw), (w, pw)):
        kw = dict(weight=weight, pos_weight=pos_weight, reduction=reduction)
        compare(lambda a, b: sl.binary_cross_entropy_with_logits(a, b, **kw),
                lambda a, b: TF.binary_cross_entropy_with_logits(a, b, **kw), (x, t), dtype)
        compare(lambda a, b: sl.BCEWithLogitsLoss(**kw)(a, b), lambda a, b: torch.nn.BCEWithLogitsLoss(**kw)(a, b),
                (x, t), dtype)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(dtype, reduction, log_target):
    x = torch.log_softmax(randn(4, 6, dtype=dtype), 1)
    t = torch.softmax(randn(4, 6, dtype=dtype, seed=9), 1)
    if log_target:
        t = t.log()
    kw = dict(reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' warns, in both
        compare(lambda a, b: sl.kl_div(a, b, **kw), lambda a, b: TF.kl_div(a, b, **kw), (x, t), dtype)
        compare(lambda a, b: sl.KLDivLoss(**kw)(a, b), lambda a, b: torch.nn.KLDivLoss(**kw)(a, b), (x, t), dtype)
        # An input broadcast against a larger target: the gradient is summed back, as autograd.
        compare(lambda a, b: sl.kl_div(a, b, **kw), lambda a, b: TF.kl_div(a, b, **kw), (x[:1], t), dtype)


@needs_torch
def test_gradcheck_every_function():
    x = randn(3, 4).requires_grad_(True)
    y = torch.tensor([1, 0, 3])
    t = torch.rand(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    w = torch.tensor([0.5, 1.0, 1.5, 2.0], dtype=torch.float64)
    checks = [
        lambda x: sl.cross_entropy(x, y, reduction="none", label_smoothing=0.2),
        lambda x: sl.cross_entropy(x, torch.softmax(t, 1), weight=w),
        lambda x: sl.nll_loss(x, y, reduction="sum"),
        lambda x: sl.binary_cross_entropy(torch.sigmoid(x), t, reduction="none"),
        lambda x: sl.binary_cross_entropy_with_logits(x, t, pos_weight=torch.full((4,), 2.0, dtype=torch.float64)),
        lambda x: sl.kl_div(x, t, reduction="batchmean"),
        lambda x: sl.kl_div(x[:1], t, reduction="none"),
    ]
    for f in checks:
        assert torch.autograd.gradcheck(f, (x,))


# ------------------------------------------------------------------------------------------
# Drop-in behaviour
# ------------------------------------------------------------------------------------------

@needs_torch
def test_modules_are_torch_modules_with_torchs_buffers():
    w = torch.rand(5)
    ours, theirs = sl.CrossEntropyLoss(weight=w, label_smoothing=0.1), torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)
    assert isinstance(ours, torch.nn.Module)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours.double().weight.dtype == torch.float64
    bce = sl.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3))
    assert sorted(bce.state_dict()) == sorted(torch.nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3)).state_dict())
    model = torch.nn.Sequential(torch.nn.Linear(4, 5))
    model.loss = sl.NLLLoss()  # registers as a submodule like torch's
    assert "loss" in dict(model.named_modules())
    assert sl.KLDivLoss(reduction="batchmean", log_target=True).log_target is True


@needs_torch
def test_training_steps_match_torch():
    """A few SGD steps of a linear classifier: the same parameters with either loss."""
    data = randn(32, 8, dtype="float32")
    labels = torch.randint(0, 3, (32,), generator=torch.Generator().manual_seed(0))
    results = []
    for criterion in (sl.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1)):
        torch.manual_seed(0)
        model = torch.nn.Linear(8, 3)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        for _ in range(10):
            optimizer.zero_grad()
            loss = criterion(model(data), labels)
            loss.backward()
            optimizer.step()
        results.append((loss.item(), model.weight.detach().clone()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-5)
    torch.testing.assert_close(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


@needs_torch
def test_autograd_functions_directly():
    x = randn(4, 3).requires_grad_(True)
    y = torch.tensor([0, 2, 1, 1])
    loss, unit_grad = sl.CrossEntropyFunction.apply(x, y, None, -100, "mean", 0.0)
    assert not unit_grad.requires_grad  # the gradient for ones upstream, not differentiable itself
    loss.backward()
    x2 = x.detach().clone().requires_grad_(True)
    TF.cross_entropy(x2, y).backward()
    torch.testing.assert_close(x.grad, x2.grad)
    torch.testing.assert_close(unit_grad, x2.grad)
    assert loss.grad_fn is not None and "CrossEntropyFunction" in type(loss.grad_fn).__name__


@needs_torch
def test_no_grad_and_inputs_without_grad_build_no_graph():
    x = randn(4, 3)
    y = torch.tensor([0, 2, 1, 1])
    assert sl.cross_entropy(x, y).grad_fn is None
    with torch.no_grad():
        assert sl.cross_entropy(x.requires_grad_(True), y).grad_fn is None
    torch.testing.assert_close(sl.cross_entropy(x, y), TF.cross_entropy(x, y))


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_inputs_are_computed_in_float32(dtype):
    x = randn(6, 5, dtype="float32").to(getattr(torch, dtype)).requires_grad_(True)
    y = torch.tensor([0, 1, 2, 3, 4, 0])
    loss = sl.cross_entropy(x, y)
    assert loss.dtype == x.dtype
    loss.backward()
    assert x.grad.dtype == x.dtype
    x32 = x.detach().float().requires_grad_(True)
    expected = TF.cross_entropy(x32, y)
    expected.backward()
    torch.testing.assert_close(loss.float(), expected, rtol=1e-2, atol=1e-2)
    torch.testing.assert_close(x.grad.float(), x32.grad, rtol=1e-2, atol=1e-2)


@needs_torch
def test_what_is_refused():
    x = randn(4, 3).requires_grad_(True)
    q = torch.softmax(randn(4, 3), 1).requires_grad_(True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.cross_entropy(x, q)
    with pytest.raises(NotImplementedError, match="pos_weight"):
        sl.binary_cross_entropy_with_logits(x, torch.ones(4, 3), pos_weight=torch.ones(3, requires_grad=True))
    with pytest.raises(RuntimeError, match="swiftloss computes on the CPU"):
        sl.cross_entropy(torch.empty(4, 3, device="meta"), torch.zeros(4, dtype=torch.long))
    with pytest.raises(TypeError, match=r"cross_entropy_loss\(\): argument .input. \(position 1\) must be Tensor, not ndarray"):
        sl.cross_entropy(np.zeros((4, 3)), torch.zeros(4, dtype=torch.long))
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        sl.cross_entropy(x, torch.tensor([0, 1, 7, 2]))
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        sl.binary_cross_entropy(x, torch.ones(4, 3))
