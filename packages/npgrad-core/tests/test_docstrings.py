"""Every docstring example in npgrad-core runs and shows what it claims (``Examples``
sections are doctests). One test per module, so a failure names the module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import npgrad

# the sibling distributions extend npgrad's __path__; their doctests are theirs to run
# (npgrad.utils.data is npgrad.data under PyTorch's import path: it needs npgrad-data)
_OTHER_DISTRIBUTIONS = (
    "npgrad.nn",
    "npgrad.optim",
    "npgrad.data",
    "npgrad.vision",
    "npgrad.utils.data",
)


def _core_modules() -> list[str]:
    names = ["npgrad"]
    for info in pkgutil.walk_packages(npgrad.__path__, "npgrad."):
        if not info.name.startswith(_OTHER_DISTRIBUTIONS):
            names.append(info.name)
    return sorted(names)


def test_the_core_modules_are_found():
    modules = _core_modules()
    assert {"npgrad.tensor", "npgrad.ops.reduction", "npgrad.autograd.engine"} <= set(modules)


@pytest.mark.parametrize("name", _core_modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    default = npgrad.get_default_dtype()
    with np.errstate(all="ignore"):
        for test in tests:
            if (
                test.lineno is None
                or test.filename
                and not test.filename.startswith(module.__file__.rsplit("/", 1)[0])
            ):
                continue  # re-exported from another module: tested there
            runner.run(test)
    npgrad.set_default_dtype(default)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (above)"
