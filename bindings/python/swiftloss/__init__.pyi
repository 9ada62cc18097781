from . import _swiftloss as _swiftloss
from . import functional as functional
from . import modules as modules
from .functional import (
    NoAutogradWarning as NoAutogradWarning,
    binary_cross_entropy as binary_cross_entropy,
    binary_cross_entropy_with_logits as binary_cross_entropy_with_logits,
    cross_entropy as cross_entropy,
    kl_div as kl_div,
    log_softmax as log_softmax,
    nll_loss as nll_loss,
    softmax as softmax,
)
from .modules import (
    BCELoss as BCELoss,
    BCEWithLogitsLoss as BCEWithLogitsLoss,
    CrossEntropyLoss as CrossEntropyLoss,
    KLDivLoss as KLDivLoss,
    LogSoftmax as LogSoftmax,
    NLLLoss as NLLLoss,
    Softmax as Softmax,
)

__version__: str
__all__ = [
    "__version__",
    "functional",
    "modules",
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "Softmax",
    "LogSoftmax",
    "NLLLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "set_num_threads",
    "get_num_threads",
    "NoAutogradWarning",
]

def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
