"""The README's Python example runs as written and prints the numbers it claims."""
import contextlib
import io
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs_and_prints_its_numbers():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README.md has no python example"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    # The numbers the README's comments state, in order.
    assert lines[0].startswith("1.3644149"), lines
    assert lines[1].startswith("1.366915"), lines
    assert len(lines) == 3 and float(lines[2]) > 0, lines
