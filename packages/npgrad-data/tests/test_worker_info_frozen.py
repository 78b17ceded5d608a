"""``WorkerInfo`` is read-only as PyTorch 2.13's (a frozen dataclass: assigning or deleting an
attribute raises ``dataclasses.FrozenInstanceError``), with PyTorch's fields, repr, equality
and pickling, inside a worker process too."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import sys

import pytest

from npgrad.data import DataLoader, Dataset, WorkerInfo, get_worker_info


def _info(**kw):
    fields = {"id": 1, "num_workers": 3, "seed": 12, "dataset": [4, 5]}
    return WorkerInfo(**{**fields, **kw})


def test_worker_info_fields_defaults_and_repr():
    info = _info()
    assert (info.id, info.num_workers, info.seed, info.dataset) == (1, 3, 12, [4, 5])
    assert info.rng is None and info.worker_method == "multiprocessing"
    assert [f.name for f in dataclasses.fields(WorkerInfo)] == [
        "id",
        "num_workers",
        "seed",
        "dataset",
        "rng",
        "worker_method",
    ]
    assert repr(info) == (
        "WorkerInfo(id=1, num_workers=3, seed=12, dataset=[4, 5], rng=None, "
        "worker_method='multiprocessing')"
    )
    assert str(info) == repr(info)


@pytest.mark.parametrize("name", ["id", "num_workers", "seed", "dataset", "rng", "worker_method"])
def test_worker_info_fields_cannot_be_assigned_or_deleted(name):
    info = _info()
    before = getattr(info, name)
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
        setattr(info, name, 0)
    with pytest.raises(AttributeError, match=f"cannot delete field '{name}'"):
        delattr(info, name)
    assert getattr(info, name) == before


def test_worker_info_refuses_new_attributes():
    info = _info()
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'extra'"):
        info.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(info, "extra")


def test_worker_info_is_an_attribute_error_as_in_torch():
    # FrozenInstanceError subclasses AttributeError: code catching either keeps working
    assert issubclass(dataclasses.FrozenInstanceError, AttributeError)
    with pytest.raises(AttributeError):
        _info().id = 2


def test_worker_info_pickles_copies_and_compares():
    info = _info(dataset=("a", 1))
    back = pickle.loads(pickle.dumps(info))
    assert back == info and back is not info and repr(back) == repr(info)
    assert copy.copy(info) == info and copy.deepcopy(info) == info
    assert _info(seed=13) != info
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.seed = 0


def test_worker_info_needs_the_four_fields():
    with pytest.raises(TypeError, match="dataset"):
        WorkerInfo(id=0, num_workers=1, seed=0)  # type: ignore[call-arg]


class _Probe(Dataset):
    """Reports what the worker's WorkerInfo holds and what assigning to it raises."""

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> tuple[int, int, str, str, bool]:
        info = get_worker_info()
        assert info is not None
        try:
            info.id = 99
        except Exception as e:  # noqa: BLE001 - the type is what the test checks
            error = f"{type(e).__name__}: {e}"
        return info.id, info.num_workers, info.worker_method, error, info.dataset is self


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks a worker process")
def test_worker_info_inside_a_worker_is_frozen():
    assert get_worker_info() is None
    loader = DataLoader(
        _Probe(), batch_size=None, num_workers=1, timeout=30, multiprocessing_context="fork"
    )
    rows = list(loader)
    assert len(rows) == 2
    for wid, n, method, error, own_copy in rows:
        assert (wid, n, method) == (0, 1, "multiprocessing")
        assert error == "FrozenInstanceError: cannot assign to field 'id'"
        assert own_copy  # the dataset the worker indexes is the one it reports


@pytest.mark.torch
def test_worker_info_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data._utils.worker import WorkerInfo as TorchWorkerInfo

    kw = {"id": 0, "num_workers": 2, "seed": 5, "dataset": [1, 2]}
    ours, theirs = WorkerInfo(**kw), TorchWorkerInfo(**kw)
    assert repr(ours) == repr(theirs)
    assert [f.name for f in dataclasses.fields(WorkerInfo)] == [
        f.name for f in dataclasses.fields(TorchWorkerInfo)
    ]
    assert pickle.loads(pickle.dumps(ours)) == ours
    for info in (ours, theirs):
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'seed'"):
            info.seed = 1
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'id'"):
            del info.id
    assert torch.utils.data.get_worker_info() is get_worker_info() is None
