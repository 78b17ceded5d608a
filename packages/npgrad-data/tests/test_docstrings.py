"""Every Examples section in npgrad.data's docstrings runs and shows what it claims."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import npgrad.data

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(npgrad.data.__path__, prefix="npgrad.data.")
)


def test_every_module_is_listed():
    assert {"npgrad.data.dataloader", "npgrad.data.transforms.functional"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_all(name):
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    assert all(hasattr(module, attr) for attr in module.__all__)
