"""npgrad-core installs alone: each missing sibling distribution gives a friendly ImportError."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

import pytest

import npgrad

SIBLINGS = {
    "nn": "npgrad-nn",
    "optim": "npgrad-optim",
    "data": "npgrad-data",
    "vision": "npgrad-vision",
}


def installed(distribution: str) -> bool:
    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


def test_version_matches_distribution_metadata() -> None:
    assert npgrad.__version__ == version("npgrad-core")


@pytest.mark.parametrize("name", SIBLINGS)
def test_sibling_imports_when_installed_and_says_how_to_install_when_not(name: str) -> None:
    distribution = SIBLINGS[name]
    if installed(distribution):
        assert getattr(npgrad, name) is import_module(f"npgrad.{name}")
        return
    with pytest.raises(ImportError, match=f"pip install {distribution}"):
        exec(f"from npgrad import {name}", {})
    with pytest.raises(ImportError, match=f"pip install {distribution}"):
        getattr(npgrad, name)
    with pytest.raises(ModuleNotFoundError):
        import_module(f"npgrad.{name}")


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        npgrad.no_such_thing  # noqa: B018
