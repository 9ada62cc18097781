"""Documentation: a docstring on every public function, class and method (formula, shapes,
PyTorch parity, shown by help()), and .pyi stubs that declare every public name with the
runtime's parameters."""
import ast
import importlib
import inspect
import pathlib
import pydoc

import pytest

import swiftloss
import swiftloss as F

try:
    import torch  # noqa: F401
except ImportError:
    torch = None

PACKAGE = pathlib.Path(swiftloss.__file__).resolve().parent
MODULES = ["swiftloss", "swiftloss.functional", "swiftloss.modules", "swiftloss.torch", "swiftloss.distributed"]
LOSSES = [F.nll_loss, F.cross_entropy, F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.kl_div]


def runtime_module(name):
    if name == "swiftloss.torch" and torch is None:
        pytest.skip("PyTorch is not installed: swiftloss.torch cannot be imported")
    return importlib.import_module(name)


def public_objects(module):
    """(qualified name, object) for every public function, class and method of module."""
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            for attr, member in vars(obj).items():
                if attr in ("forward", "backward", "__init__", "__call__") or not attr.startswith("_"):
                    if isinstance(member, staticmethod):
                        member = member.__func__
                    if inspect.isfunction(member) and attr != "__init__":
                        yield f"{module.__name__}.{name}.{attr}", member


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_object_has_a_docstring(module_name):
    module = runtime_module(module_name)
    assert module.__doc__ and len(module.__doc__) > 200
    missing = [name for name, obj in public_objects(module) if not (obj.__doc__ or "").strip()]
    assert not missing, f"no docstring: {missing}"


@pytest.mark.parametrize("function", LOSSES + [F.softmax, F.log_softmax], ids=lambda f: f.__name__)
def test_function_docstrings_give_formula_shapes_gradient_and_buffers(function):
    doc = pydoc.render_doc(function, renderer=pydoc.plaintext)  # what help() prints
    assert ":math:" in doc, "formula"
    assert "shape" in doc, "shapes"
    assert "with_grad" in doc and "grad_output" in doc, "gradient API"
    assert "``out``" in doc or "out: " in doc, "out= buffers"
    assert "Raises" in doc or "errors" in doc


@pytest.mark.parametrize("function", LOSSES, ids=lambda f: f.__name__)
def test_loss_docstrings_note_pytorch_parity(function):
    doc = function.__doc__
    assert "PyTorch" in doc or "torch" in doc


def test_semantics_surprises_are_in_the_docstrings():
    """The behaviours SEMANTICS.md calls surprising, where users look first."""
    assert "negative" in F.nll_loss.__doc__  # probabilities instead of log-probabilities
    assert "NaN" in F.nll_loss.__doc__  # every target ignored
    assert "batchmean" in F.kl_div.__doc__ and "not the math definition" in F.kl_div.__doc__
    assert "negative" in F.cross_entropy.__doc__  # label smoothing below 0
    assert "-100" in F.binary_cross_entropy.__doc__  # the log clamp


# ------------------------------------------------------------------------------------------
# Stubs
# ------------------------------------------------------------------------------------------

def stub_tree(module_name):
    leaf = "__init__" if module_name == "swiftloss" else module_name.split(".")[-1]
    path = PACKAGE / f"{leaf}.pyi"
    assert path.is_file(), f"no stub {path.name}"
    return ast.parse(path.read_text(encoding="utf-8"))


def stub_all(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]
    return None


def stub_definitions(tree):
    """name -> list of FunctionDef (overloads) or ClassDef, at module level."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                found.setdefault(alias.asname or alias.name, []).append(node)
    return found


def stub_parameters(function_def):
    """(name, kind) of a stub's parameters, self excluded."""
    a = function_def.args
    params = [(p.arg, "positional") for p in a.posonlyargs + a.args]
    params += [(p.arg, "keyword") for p in a.kwonlyargs]
    return [p for p in params if p[0] not in ("self", "cls", "ctx")]


def runtime_parameters(obj):
    kinds = {inspect.Parameter.KEYWORD_ONLY: "keyword"}
    return [
        (p.name, kinds.get(p.kind, "positional"))
        for p in inspect.signature(obj).parameters.values()
        if p.name not in ("self", "cls", "ctx") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def stub_method(tree, class_def, name):
    """A method of a stub class, looked up through the stub's own base classes."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    while class_def is not None:
        methods = [n for n in class_def.body if isinstance(n, ast.FunctionDef) and n.name == name]
        if methods:
            return methods
        bases = [b.id for b in class_def.bases if isinstance(b, ast.Name) and b.id in classes]
        class_def = classes[bases[0]] if bases else None
    return []


@pytest.mark.parametrize("module_name", MODULES)
def test_stubs_declare_every_public_name_with_its_parameters(module_name):
    module = runtime_module(module_name)
    tree = stub_tree(module_name)
    assert stub_all(tree) == list(module.__all__)
    definitions = stub_definitions(tree)
    problems = []
    for name in module.__all__:
        obj = getattr(module, name)
        if name not in definitions and not name.startswith("__"):
            problems.append(f"{name}: not in the stub")
            continue
        if inspect.isfunction(obj):
            for overload in definitions[name]:
                if isinstance(overload, ast.FunctionDef) and stub_parameters(overload) != runtime_parameters(obj):
                    problems.append(f"{name}: stub {stub_parameters(overload)} != runtime {runtime_parameters(obj)}")
        elif inspect.isclass(obj) and isinstance(definitions[name][0], ast.ClassDef):
            for method in ("__init__", "forward"):
                if method not in dir(obj) or getattr(obj, method) is getattr(object, method, None):
                    continue
                runtime = getattr(obj, method)
                if isinstance(inspect.getattr_static(obj, method), staticmethod) or method == "forward":
                    expected = runtime_parameters(runtime)
                else:
                    expected = runtime_parameters(runtime)
                for overload in stub_method(tree, definitions[name][0], method):
                    if stub_parameters(overload) != expected:
                        problems.append(f"{name}.{method}: stub {stub_parameters(overload)} != runtime {expected}")
    assert not problems, "\n".join(problems)


def test_extension_stub_lists_every_function():
    from swiftloss import _swiftloss

    tree = ast.parse((PACKAGE / "_swiftloss.pyi").read_text(encoding="utf-8"))
    declared = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    declared |= {t.target.id for t in tree.body if isinstance(t, ast.AnnAssign)}
    public = {name for name in dir(_swiftloss) if not name.startswith("_")}
    assert public <= declared, f"not in _swiftloss.pyi: {sorted(public - declared)}"


def test_stubs_and_py_typed_are_installed_beside_the_package():
    for name in ("py.typed", "__init__.pyi", "functional.pyi", "modules.pyi", "torch.pyi", "_swiftloss.pyi",
                 "distributed.pyi"):
        assert (PACKAGE / name).is_file(), name
