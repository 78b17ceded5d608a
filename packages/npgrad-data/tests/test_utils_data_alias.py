"""``npgrad.utils.data``: PyTorch's ``torch.utils.data`` import path to npgrad.data's objects."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import npgrad
import npgrad.data

_SUBMODULES = ("collate", "dataloader", "dataset", "distributed", "sampler")


def test_torch_style_imports_give_npgrad_data_objects() -> None:
    from npgrad.utils.data import DataLoader, Dataset, TensorDataset, random_split

    assert DataLoader is npgrad.data.DataLoader
    assert Dataset is npgrad.data.Dataset
    assert random_split is npgrad.data.random_split
    ds = TensorDataset(npgrad.arange(5.0))
    a, b = random_split(ds, [3, 2], generator=npgrad.Generator().manual_seed(0))
    assert isinstance(a, npgrad.data.Subset) and (len(a), len(b)) == (3, 2)
    assert [batch[0].tolist() for batch in DataLoader(ds, batch_size=2)] == [
        [0.0, 1.0],
        [2.0, 3.0],
        [4.0],
    ]


def test_all_matches_npgrad_data() -> None:
    import npgrad.utils.data as ud

    assert ud.__all__ == npgrad.data.__all__
    for name in npgrad.data.__all__:
        assert getattr(ud, name) is getattr(npgrad.data, name), name


@pytest.mark.parametrize("sub", _SUBMODULES)
def test_submodules_are_npgrad_data_modules(sub: str) -> None:
    alias = importlib.import_module(f"npgrad.utils.data.{sub}")
    assert alias is importlib.import_module(f"npgrad.data.{sub}")
    assert getattr(importlib.import_module("npgrad.utils.data"), sub) is alias


def test_from_submodule_import() -> None:
    from npgrad.utils.data.dataloader import DataLoader
    from npgrad.utils.data.distributed import DistributedSampler
    from npgrad.utils.data.sampler import RandomSampler

    assert DataLoader is npgrad.data.DataLoader
    assert RandomSampler is npgrad.data.RandomSampler
    assert DistributedSampler is npgrad.data.DistributedSampler


def test_attribute_after_import_npgrad_and_lazy_transforms() -> None:
    assert npgrad.utils.data is importlib.import_module("npgrad.utils.data")
    assert npgrad.utils.data.transforms is importlib.import_module("npgrad.data.transforms")
    with pytest.raises(AttributeError, match="'npgrad.utils.data' has no attribute 'nope'"):
        npgrad.utils.data.nope  # noqa: B018
    with pytest.raises(AttributeError, match="'npgrad.utils' has no attribute 'nope'"):
        npgrad.utils.nope  # noqa: B018


def test_import_npgrad_does_not_import_npgrad_data() -> None:
    # DESIGN §2: core never imports a sibling distribution at import time. A fresh interpreter,
    # because this process has imported npgrad.data already.
    code = "import json, sys, npgrad, npgrad.utils; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(run.stdout)
    assert not [m for m in loaded if m.startswith(("npgrad.data", "npgrad.utils.data"))]


def test_missing_distribution_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import npgrad.data` fail as it does without npgrad-data
    monkeypatch.setitem(sys.modules, "npgrad.data", None)
    for name in ["npgrad.utils.data", *(f"npgrad.utils.data.{s}" for s in _SUBMODULES)]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.delattr(npgrad.utils, "data", raising=False)
    with pytest.raises(ModuleNotFoundError, match="'npgrad-data'.*pip install npgrad-data") as e:
        importlib.import_module("npgrad.utils.data")
    assert e.value.name == "npgrad.data"
    with pytest.raises(ModuleNotFoundError, match="pip install npgrad-data"):
        npgrad.utils.data  # noqa: B018
    with pytest.raises(ModuleNotFoundError, match="pip install npgrad-data"):
        from npgrad.utils.data import DataLoader  # noqa: F401


def test_an_error_inside_npgrad_data_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    # a module npgrad.data needs that is missing is reported as itself, not as npgrad-data
    monkeypatch.setitem(sys.modules, "npgrad.data", None)
    monkeypatch.delitem(sys.modules, "npgrad.utils.data", raising=False)
    real_import = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> object:
        if name == "npgrad.data":
            raise ModuleNotFoundError("No module named 'PIL'", name="PIL")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(ModuleNotFoundError, match="'PIL'"):
        real_import("npgrad.utils.data")


@pytest.mark.torch
def test_same_public_names_as_torch_utils_data() -> None:
    torch_data = pytest.importorskip("torch.utils.data")
    import npgrad.utils.data as ud

    # torch's extra names are its DataPipes and typing helpers, which npgrad does not have
    datapipes = {
        "DFIterDataPipe",
        "DataChunk",
        "IterDataPipe",
        "MapDataPipe",
        "_DatasetKind",
        "argument_validation",
        "functional_datapipe",
        "guaranteed_datapipes_determinism",
        "non_deterministic",
        "runtime_validation",
        "runtime_validation_disabled",
    }
    assert set(torch_data.__all__) - datapipes <= set(ud.__all__)
    for sub in ("dataloader", "dataset", "distributed", "sampler"):
        assert hasattr(torch_data, sub) and hasattr(ud, sub)


# ---- npgrad.testing: an attribute after `import npgrad`, as torch.testing is ---------------


def test_testing_is_a_lazy_attribute_of_npgrad() -> None:
    code = (
        "import sys, npgrad; before = 'npgrad.testing' in sys.modules; t = npgrad.testing; "
        "print(before, t.__name__, t.assert_close is sys.modules['npgrad.testing'].assert_close)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "npgrad.testing", "True"]
    assert "testing" in npgrad.__all__
    npgrad.testing.assert_close(npgrad.ones(2), npgrad.ones(2))


@pytest.mark.torch
def test_testing_attribute_like_torch() -> None:
    torch = pytest.importorskip("torch")
    assert hasattr(torch, "testing") and hasattr(npgrad, "testing")
    assert hasattr(npgrad.testing, "assert_close") and hasattr(npgrad.testing, "make_tensor")
