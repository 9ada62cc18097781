"""The README's Python examples of out= buffers and of swiftloss.torch run as written (once
the README has them; SWIFTLOSS_README points at another README, e.g. a draft)."""
import contextlib
import io
import os
import pathlib
import re

import pytest

README = pathlib.Path(os.environ.get("SWIFTLOSS_README") or pathlib.Path(__file__).resolve().parents[2] / "README.md")


def block(marker):
    for code in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        if marker in code:
            return code
    pytest.skip(f"{README.name} has no python example using {marker!r}")


def run(code):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})
    return out.getvalue().split()


def test_readme_out_buffers_example():
    printed = run(block("out=(None, logits)"))
    assert len(printed) == 2 and printed[0] == printed[1], printed  # "the same number twice"


def test_readme_torch_bridge_example():
    code = block("swiftloss.torch")
    pytest.importorskip("torch", reason="PyTorch is not installed: the README's swiftloss.torch example needs it")
    printed = run(code)
    assert float(printed[0]) > 0 and printed[1:] == ["torch.Size([3,", "8])"], printed
