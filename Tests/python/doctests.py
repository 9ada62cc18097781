"""The docstring examples of a function, run as doctests with numpy scalars printed as plain
numbers (as the docs show them): shared by the per-loss test modules."""
import doctest

import numpy as np


def run_examples(function):
    """Runs every example of function's docstring; returns the DocTestRunner (tries, failures)."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    saved = np.get_printoptions()
    np.set_printoptions(legacy="1.25")
    try:
        for test in doctest.DocTestFinder().find(function, globs={}):
            runner.run(test)
    finally:
        np.set_printoptions(**saved)
    return runner
