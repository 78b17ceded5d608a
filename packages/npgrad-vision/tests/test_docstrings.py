"""Every Examples section in npgrad.vision's docstrings runs and shows what it claims."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import npgrad.vision

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(npgrad.vision.__path__, prefix="npgrad.vision.")
)


def test_every_module_is_listed() -> None:
    assert {
        "npgrad.vision.datasets.folder",
        "npgrad.vision.datasets.mnist",
        "npgrad.vision.models.resnet",
        "npgrad.vision.siamese",
        "npgrad.vision.utils",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_all(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list)
    missing = [attr for attr in module.__all__ if not hasattr(module, attr)]
    assert not missing, f"{name}.__all__ names missing attributes {missing}"
