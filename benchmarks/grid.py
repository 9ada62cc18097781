"""The speed grid of bench.py (``--grid``): every public function x size x dtype, swiftloss's
median time against PyTorch's on the same arrays with the same thread count, and whether the
cell meets the goal (at most 0.8x torch's time).

Each cell times the common call of the function (numpy arrays in, the default keywords except
the one the row names) and torch.nn.functional's on tensors sharing those arrays' memory
(``torch.from_numpy``); the two results are compared (1e-4 relative in float32, 1e-9 in
float64) before anything is timed, so both sides do the same work. Sizes are (rows, classes):
class-axis functions take them as (N, C) logits (``8x21x512x512``: the (N, C, d1, d2)
layout), element-wise ones as an array of that shape.
"""
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

GOAL = 0.8

SIZES = [(2, 4), (64, 10), (256, 1000), (32, 50257), (512, 8192), (8, 128256), (4096, 32000), (8, 21, 512, 512)]
QUICK_SIZES = [(2, 4), (64, 10), (256, 1000), (32, 50257), (512, 8192), (8, 128256), (2, 21, 128, 128)]


def size_id(shape: Tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def _class_targets(rng, shape, classes, ignore=False):
    t = rng.integers(0, classes, size=(shape[0],) + tuple(shape[2:]), dtype=np.int64)
    if ignore:
        t.reshape(-1)[::4] = -100
    return t


def _softmax_probs(rng, shape, dtype):
    p = rng.random(shape).astype(dtype) + 0.01
    return p / p.sum(axis=1, keepdims=True, dtype=dtype)


def builders(sl, torch, TF) -> Dict[str, Callable]:
    """name -> builder(rng, shape, dtype) -> (swiftloss call, torch call)."""
    T = torch.from_numpy

    def ce(weight=False, ignore=False, smoothing=0.0, grad=False):
        def build(rng, shape, dtype):
            x = rng.standard_normal(shape).astype(dtype)
            t = _class_targets(rng, shape, shape[1], ignore)
            w = (rng.random(shape[1]) + 0.5).astype(dtype) if weight else None
            kw = dict(label_smoothing=smoothing) if smoothing else {}
            xt, tt, wt = T(x), T(t), (T(w) if weight else None)
            if grad:
                xg = xt.clone().requires_grad_(True)

                def torch_call():
                    xg.grad = None
                    loss = TF.cross_entropy(xg, tt, weight=wt, **kw)
                    loss.backward()
                    return loss.detach().numpy(), xg.grad.numpy()
                return (lambda: sl.cross_entropy(x, t, weight=w, with_grad=True, **kw)), torch_call
            return (lambda: sl.cross_entropy(x, t, weight=w, **kw)), (lambda: TF.cross_entropy(xt, tt, weight=wt, **kw))
        return build

    def ce_probs(rng, shape, dtype):
        x = rng.standard_normal(shape).astype(dtype)
        p = _softmax_probs(rng, shape, dtype)
        xt, pt = T(x), T(p)
        return (lambda: sl.cross_entropy(x, p)), (lambda: TF.cross_entropy(xt, pt))

    def axis(name):
        def build(rng, shape, dtype):
            x = rng.standard_normal(shape).astype(dtype)
            xt = T(x)
            return (lambda: getattr(sl, name)(x, 1)), (lambda: getattr(TF, name)(xt, 1))
        return build

    def nll(rng, shape, dtype):
        x = rng.standard_normal(shape).astype(dtype)
        t = _class_targets(rng, shape, shape[1])
        xt, tt = T(x), T(t)
        return (lambda: sl.nll_loss(x, t)), (lambda: TF.nll_loss(xt, tt))

    def margin(name, make_t, **kw):
        def build(rng, shape, dtype):
            x, t = rng.standard_normal(shape).astype(dtype), make_t(rng, shape)
            xt, tt = T(x), T(t)
            return (lambda: getattr(sl, name)(x, t, **kw)), (lambda: getattr(TF, name)(xt, tt, **kw))
        return build

    def label_lists(rng, shape):  # 1 to 4 classes per row, then -1
        lists = np.full(shape, -1, np.int64)
        lengths = rng.integers(1, 5, shape[0])
        for k in range(min(4, shape[1])):
            lists[lengths > k, k] = rng.integers(0, shape[1], int((lengths > k).sum()))
        return lists

    def pair(name, make_x, make_t, **kw):
        def build(rng, shape, dtype):
            x, t = make_x(rng, shape, dtype), make_t(rng, shape, dtype)
            xt, tt = T(x), T(t)
            return (lambda: getattr(sl, name)(x, t, **kw)), (lambda: getattr(TF, name)(xt, tt, **kw))
        return build

    def triple(name, make_a, make_b, make_c, **kw):
        def build(rng, shape, dtype):
            a, b, c = make_a(rng, shape, dtype), make_b(rng, shape, dtype), make_c(rng, shape, dtype)
            at, bt, ct = T(a), T(b), T(c)
            return (lambda: getattr(sl, name)(a, b, c, **kw)), (lambda: getattr(TF, name)(at, bt, ct, **kw))
        return build

    def rows(name, make_target=None, **kw):
        """An embedding loss: (N, D) inputs (three, or two and a (N,) target)."""
        def build(rng, shape, dtype):
            xs = [normal(rng, shape, dtype) for _ in range(2 if make_target else 3)]
            if make_target:
                xs.append(make_target(rng, shape[:1], dtype))
            ts = [T(x) for x in xs]
            return (lambda: getattr(sl, name)(*xs, **kw)), (lambda: getattr(TF, name)(*ts, **kw))
        return build

    normal = lambda rng, shape, dtype: rng.standard_normal(shape).astype(dtype)
    unit = lambda rng, shape, dtype: (rng.random(shape) * 0.98 + 0.01).astype(dtype)
    sign = lambda rng, shape, dtype: np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(dtype)
    counts = lambda rng, shape, dtype: rng.integers(0, 6, shape).astype(dtype)
    variance = lambda rng, shape, dtype: (rng.random(shape) + 0.1).astype(dtype)
    return {
        "cross_entropy": ce(),
        "ce weight": ce(weight=True),
        "ce ignore_index": ce(ignore=True),
        "ce label_smoothing": ce(smoothing=0.1),
        "ce fwd+bwd": ce(grad=True),
        "ce probabilities": ce_probs,
        "log_softmax": axis("log_softmax"),
        "softmax": axis("softmax"),
        "nll_loss": nll,
        "binary_cross_entropy": pair("binary_cross_entropy", unit, unit),
        "bce_with_logits": pair("binary_cross_entropy_with_logits", normal, unit),
        "kl_div": pair("kl_div", normal, unit, reduction="batchmean"),
        "mse_loss": pair("mse_loss", normal, normal),
        "l1_loss": pair("l1_loss", normal, normal),
        "smooth_l1_loss": pair("smooth_l1_loss", normal, normal),
        "huber_loss": pair("huber_loss", normal, normal),
        "soft_margin_loss": pair("soft_margin_loss", normal, sign),
        "hinge_embedding_loss": pair("hinge_embedding_loss", normal, sign),
        "poisson_nll_loss": pair("poisson_nll_loss", normal, counts),
        "multilabel_soft_margin": pair("multilabel_soft_margin_loss", normal, unit),
        "margin_ranking": triple("margin_ranking_loss", normal, normal, sign, margin=0.1),
        "multi_margin_loss": margin("multi_margin_loss", lambda rng, shape: _class_targets(rng, shape, shape[1])),
        "multi_margin p=2": margin("multi_margin_loss", lambda rng, shape: _class_targets(rng, shape, shape[1]), p=2),
        "multilabel_margin_loss": margin("multilabel_margin_loss", label_lists),
        "gaussian_nll": triple("gaussian_nll_loss", normal, normal, variance),
        "cosine_embedding": rows("cosine_embedding_loss", sign, margin=0.1),
        "triplet_margin": rows("triplet_margin_loss"),
        "triplet swap": rows("triplet_margin_loss", swap=True),
        "triplet_with_distance": rows("triplet_margin_with_distance_loss"),
    }


CLASS_AXIS = {"cross_entropy", "ce weight", "ce ignore_index", "ce label_smoothing", "ce fwd+bwd",
              "ce probabilities", "log_softmax", "softmax", "nll_loss"}


def _as_arrays(value) -> List[np.ndarray]:
    if isinstance(value, tuple):
        return [a for v in value for a in _as_arrays(v)]
    if hasattr(value, "detach"):
        value = value.detach().numpy()
    return [np.asarray(value, dtype=np.float64)]


def _agree(ours, theirs, dtype) -> bool:
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    a, b = _as_arrays(ours), _as_arrays(theirs)
    if len(a) != len(b):
        return False
    for u, v in zip(a, b):
        scale = max(1.0, float(np.max(np.abs(v), initial=0.0)))
        if u.shape != v.shape or not np.allclose(u, v, rtol=rtol, atol=rtol * scale, equal_nan=True):
            return False
    return True


def run(sl, torch, TF, timer, filters: Optional[List[str]], quick: bool, fmt_time) -> List[Dict]:
    """Times every selected cell and prints the grid; returns the cells."""
    sizes = QUICK_SIZES if quick else SIZES
    table = builders(sl, torch, TF)
    rng = np.random.default_rng(0)
    cells: List[Dict] = []
    for dtype in (np.float32, np.float64):
        dname = "f32" if dtype == np.float32 else "f64"
        for name, build in table.items():
            for shape in sizes:
                if len(shape) > 2 and name not in CLASS_AXIS:
                    continue  # the (N, C, d) layout is a class-axis case
                cell_id = f"{name}:{size_id(shape)}:{dname}"
                if filters and not any(f in cell_id for f in filters):
                    continue
                ours, theirs = build(rng, shape, dtype)
                if not _agree(ours(), theirs(), dtype):
                    raise SystemExit(f"grid: {cell_id}: swiftloss and torch disagree; nothing timed")
                a = timer(ours)["median"]
                b = timer(theirs)["median"]
                cells.append({"name": name, "size": size_id(shape), "dtype": dname, "sl": a, "torch": b})
                del ours, theirs
    print_grid(cells, sizes, fmt_time)
    return cells


def print_grid(cells: List[Dict], sizes, fmt_time) -> None:
    if not cells:
        return
    size_ids = [size_id(s) for s in sizes if any(c["size"] == size_id(s) for c in cells)]
    names = list(dict.fromkeys(c["name"] for c in cells))
    by = {(c["name"], c["size"], c["dtype"]): c for c in cells}
    met = sum(1 for c in cells if c["sl"] <= GOAL * c["torch"])
    print(f"grid: swiftloss time / torch time, same arrays, same thread count; "
          f"'ok' = at most {GOAL}x torch's time (the goal), '--' = not met")
    for dname in ("f32", "f64"):
        if not any(c["dtype"] == dname for c in cells):
            continue
        width = max(len(n) for n in names)
        print()
        print(f"{dname:<{width}}  " + "  ".join(f"{s:>14}" for s in size_ids))
        for name in names:
            row = []
            for s in size_ids:
                c = by.get((name, s, dname))
                if c is None:
                    row.append(f"{'':>14}")
                    continue
                ratio = c["sl"] / c["torch"]
                row.append(f"{ratio:>9.2f} {'ok' if ratio <= GOAL else '--':>4}")
            print(f"{name:<{width}}  " + "  ".join(row))
    print()
    print(f"grid: {met} of {len(cells)} cells meet the goal")
    slow = sorted((c for c in cells if c["sl"] > GOAL * c["torch"]), key=lambda c: -c["sl"] / c["torch"])
    for c in slow:
        print(f"  not met: {c['name']} {c['size']} {c['dtype']}: swiftloss {fmt_time(c['sl'])}, "
              f"torch {fmt_time(c['torch'])} ({c['sl'] / c['torch']:.2f}x)")
