"""Every docstring example in npgrad.optim runs and shows what it claims (``Examples``
sections are doctests). One test per module, so a failure names the module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import npgrad
import npgrad.optim


def _modules() -> list[str]:
    prefix = "npgrad.optim."
    return sorted(
        ["npgrad.optim"] + [m.name for m in pkgutil.walk_packages(npgrad.optim.__path__, prefix)]
    )


def test_the_modules_are_found():
    assert len(_modules()) > 3


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    default = npgrad.get_default_dtype()
    here = module.__file__.rsplit("/", 1)[0]
    with np.errstate(all="ignore"):
        for test in tests:
            if test.lineno is None or (test.filename and not test.filename.startswith(here)):
                continue  # re-exported from another module: tested there
            npgrad.manual_seed(0)
            runner.run(test)
    npgrad.set_default_dtype(default)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (above)"
