"""torch composites of multi_margin_loss and multilabel_margin_loss, for the tests that need a
second derivative or forward mode from torch: its own kernels have neither ("derivative for
aten::multi_margin_loss_backward is not implemented"). Written apart from the bridge's own
references (swiftloss.torch), and checked against torch's kernels in value and first
derivative by the tests that use them."""
import torch
import torch.nn.functional as TF


def _reduce(rows, reduction, shape):
    return {"none": lambda: rows.reshape(shape), "sum": rows.sum, "mean": rows.mean}[reduction]()


def multi_margin_loss(x, target, p=1, margin=1.0, weight=None, reduction="mean"):
    rows = x.reshape(-1, x.shape[-1] if x.dim() else 1)
    y = target.reshape(-1, 1)
    z = margin - rows.gather(1, y) + rows
    others = ~TF.one_hot(y[:, 0], rows.shape[1]).bool()
    terms = torch.where((z > 0) & others, z.clamp_min(0) ** p, 0.0)
    if weight is not None:
        terms = terms * weight[y]
    return _reduce(terms.mean(1), reduction, target.shape)


def multilabel_margin_loss(x, target, reduction="mean"):
    """One row at a time: the row's list from the target's values, the hinge of every (list
    entry, non-target class) pair."""
    classes = x.shape[-1] if x.dim() else 1
    rows, lists = x.reshape(-1, classes), target.reshape(-1, classes).tolist()
    losses = []
    for n, entries in enumerate(lists):
        listed = []
        for e in entries:
            if e < 0:
                break
            listed.append(e)
        others = [k for k in range(classes) if k not in listed]
        z = 1 - rows[n, listed].unsqueeze(1) + rows[n, others].unsqueeze(0)
        losses.append(torch.where(z > 0, z, 0.0).sum() / classes)
    loss = torch.stack(losses) if losses else rows.sum(1)
    return _reduce(loss, reduction, (rows.shape[0],) if x.dim() == 2 else ())
