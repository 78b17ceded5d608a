"""Differential audit of npgrad.data against ``torch.utils.data`` (PyTorch 2.13).

Regression tests for the mismatches the audit found come first; the rest pin the behaviours
the audit compared (argument validation, lengths, ``random_split``'s rounding, collation)
with expectations of their own, each with a ``torch``-marked twin that runs PyTorch.
"""

from __future__ import annotations

import collections
import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
import npgrad.data as data


class _Range:
    """A map-style dataset of the integers 0..n-1 (plain Python: works with both libraries)."""

    def __init__(self, n: int = 10) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> int:
        return index


def _iterable(lib_data: Any, n: int = 10, length: int | None = None) -> Any:
    class Stream(lib_data.IterableDataset):
        def __iter__(self) -> Any:
            return iter(range(n))

    if length is not None:
        Stream.__len__ = lambda self: length  # type: ignore[attr-defined]
    return Stream()


def _outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except Exception as error:  # the audit compares the (built-in) exception type
        builtin = next(c for c in type(error).__mro__ if c.__module__ == "builtins")
        return builtin.__name__, None


# ---- DataLoader takes PyTorch's in_order and pin_memory_device ---------------------------
def test_dataloader_accepts_in_order_and_pin_memory_device_with_torchs_defaults() -> None:
    parameters = inspect.signature(data.DataLoader).parameters
    assert parameters["in_order"].default is True
    assert parameters["pin_memory_device"].default == ""
    assert parameters["in_order"].kind is inspect.Parameter.KEYWORD_ONLY
    loader = data.DataLoader(_Range(5), batch_size=2, in_order=False, pin_memory_device="cpu")
    assert loader.in_order is False and loader.pin_memory_device == "cpu"
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    default = data.DataLoader(_Range(5))
    assert default.in_order is True and default.pin_memory_device == ""


@pytest.mark.slow
def test_dataloader_in_order_false_with_workers_yields_every_batch() -> None:
    loader = data.DataLoader(_Range(7), batch_size=2, num_workers=2, in_order=False)
    batches = [b.tolist() for b in loader]
    assert sorted(sum(batches, [])) == list(range(7)) and len(batches) == 4


@pytest.mark.torch
def test_dataloader_signature_matches_torch() -> None:
    pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader

    def shape(cls: Any) -> list[tuple[str, Any, Any]]:
        return [(name, p.kind, p.default) for name, p in inspect.signature(cls).parameters.items()]

    assert shape(data.DataLoader) == shape(TorchLoader)


# ---- ConcatDataset keeps PyTorch's deprecated `cummulative_sizes` ---------------------------
def test_concat_dataset_cummulative_sizes_is_a_deprecated_alias() -> None:
    concat = data.ConcatDataset([_Range(2), _Range(0), _Range(3)])
    with pytest.warns(FutureWarning, match="renamed to `cumulative_sizes`"):
        assert concat.cummulative_sizes == [2, 2, 5] == concat.cumulative_sizes


@pytest.mark.torch
def test_concat_dataset_cummulative_sizes_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    theirs = torch.utils.data.ConcatDataset([_Range(2), _Range(3)])
    ours = data.ConcatDataset([_Range(2), _Range(3)])
    with pytest.warns(FutureWarning) as caught_ours:
        got = ours.cummulative_sizes
    with pytest.warns(FutureWarning) as caught_theirs:
        want = theirs.cummulative_sizes
    assert got == want
    assert str(caught_ours[0].message) == str(caught_theirs[0].message)


# ---- DataLoader argument validation ----------------------------------------------------------
LOADER_ARGUMENTS: list[tuple[dict[str, Any], str | None]] = [
    ({"batch_size": None, "drop_last": True}, "mutually exclusive with drop_last"),
    ({"batch_size": 0}, "positive integer"),
    ({"batch_size": -1}, "positive integer"),
    ({"batch_size": 2.0}, "positive integer"),
    ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0, 1]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "shuffle": True}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "sampler": [0]}, "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"batch_sampler": [[0, 1]]}, None),
    ({"batch_sampler": [[0, 1]], "batch_size": None}, "batch_sampler option is mutually"),
    ({"sampler": [3, 1]}, None),
]


def _loader_result(lib_data: Any, kwargs: dict[str, Any]) -> Any:
    loader = lib_data.DataLoader(_Range(), **kwargs)
    return len(loader), [b.tolist() if hasattr(b, "tolist") else b for b in loader]


@pytest.mark.parametrize(("kwargs", "message"), LOADER_ARGUMENTS)
def test_dataloader_argument_validation(kwargs: dict[str, Any], message: str | None) -> None:
    if message is None:
        _loader_result(data, kwargs)
    else:
        with pytest.raises(ValueError, match=message):
            data.DataLoader(_Range(), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize(("kwargs", "message"), LOADER_ARGUMENTS)
def test_dataloader_argument_validation_matches_torch(
    kwargs: dict[str, Any], message: str | None
) -> None:
    torch = pytest.importorskip("torch")
    assert _outcome(lambda: _loader_result(data, kwargs)) == _outcome(
        lambda: _loader_result(torch.utils.data, kwargs)
    )


ITERABLE_ARGUMENTS = [
    {"shuffle": True},
    {"sampler": [0, 1]},
    {"batch_sampler": [[0]]},
    {},
    {"batch_size": 3},
    {"batch_size": 3, "drop_last": True},
    {"batch_size": None},
]


def _iterable_result(lib_data: Any, kwargs: dict[str, Any], length: int | None) -> Any:
    loader = lib_data.DataLoader(_iterable(lib_data, 10, length), **kwargs)
    items = [b.tolist() if hasattr(b, "tolist") else b for b in loader]
    return _outcome(lambda: len(loader)), items


@pytest.mark.parametrize("kwargs", ITERABLE_ARGUMENTS)
@pytest.mark.parametrize("length", [None, 10])
def test_loader_over_an_iterable_dataset(kwargs: dict[str, Any], length: int | None) -> None:
    if {"shuffle", "sampler", "batch_sampler"} & set(kwargs):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspec"):
            data.DataLoader(_iterable(data, 10, length), **kwargs)
        return
    (kind, size), items = _iterable_result(data, kwargs, length)
    batch = kwargs.get("batch_size", 1)
    if length is None:
        assert kind == "TypeError"
    elif batch is None:
        assert size == length
    else:
        assert size == (length // batch if kwargs.get("drop_last") else math.ceil(length / batch))
    if kind == "ok":
        assert len(items) == size


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", ITERABLE_ARGUMENTS)
@pytest.mark.parametrize("length", [None, 10])
def test_loader_over_an_iterable_dataset_matches_torch(
    kwargs: dict[str, Any], length: int | None
) -> None:
    torch = pytest.importorskip("torch")
    ours = _outcome(lambda: _iterable_result(data, kwargs, length))
    theirs = _outcome(lambda: _iterable_result(torch.utils.data, kwargs, length))
    assert ours == theirs


# ---- random_split with fractions -----------------------------------------------------------
FRACTIONS = [
    ([0.5, 0.5], 10),
    ([0.3, 0.3, 0.4], 10),
    ([0.33, 0.33, 0.34], 10),
    ([0.1] * 10, 11),
    ([1 / 3] * 3, 7),
    ([0.2, 0.2, 0.6], 10),
    ([0.05, 0.05, 0.9], 10),
    ([0.7, 0.3], 0),
]


def _fraction_lengths(fractions: list[float], n: int) -> list[int]:
    """PyTorch's documented rule: floor each share, then hand the remainder out round-robin."""
    lengths = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    return lengths


@pytest.mark.parametrize(("fractions", "n"), FRACTIONS)
def test_random_split_fractions_distribute_the_remainder_round_robin(
    fractions: list[float], n: int
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Length of split at index 0 is 0"
        parts = data.random_split(_Range(n), fractions, generator=npgrad.Generator().manual_seed(0))
    assert [len(p) for p in parts] == _fraction_lengths(fractions, n)
    assert sorted(i for p in parts for i in p.indices) == list(range(n))


@pytest.mark.torch
@pytest.mark.parametrize(("fractions", "n"), FRACTIONS)
def test_random_split_fractions_match_torch(fractions: list[float], n: int) -> None:
    torch = pytest.importorskip("torch")
    warnings.simplefilter("ignore")  # "Length of split at index 0 is 0" (pytest restores it)
    ours = data.random_split(_Range(n), fractions, generator=npgrad.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(
        _Range(n), fractions, generator=torch.Generator().manual_seed(0)
    )
    assert [len(p) for p in ours] == [len(p) for p in theirs]


# ---- default_collate -------------------------------------------------------------------------
Pair = collections.namedtuple("Pair", "a b")


def _batches(lib: Any) -> dict[str, list[Any]]:
    low, high = collections.defaultdict(int), collections.defaultdict(int)
    low["a"], high["a"] = 1, 2
    return {
        "tensors": [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
        "ints": [1, 2],
        "floats": [1.5, 2.0],
        "bools": [True, False],
        "numpy float32 scalars": [np.float32(1), np.float32(2)],
        "numpy int32 scalars": [np.int32(1), np.int32(2)],
        "numpy bool scalars": [np.bool_(True), np.bool_(False)],
        "numpy arrays": [np.zeros(2, np.float32), np.ones(2, np.float32)],
        "numpy int8 arrays": [np.zeros(2, np.int8), np.ones(2, np.int8)],
        "strings": ["a", "b"],
        "bytes": [b"a", b"b"],
        "dicts": [{"x": 1, "y": [1, 2]}, {"x": 2, "y": [3, 4]}],
        "ordered dicts": [collections.OrderedDict(x=1), collections.OrderedDict(x=2)],
        "defaultdicts": [low, high],
        "namedtuples": [Pair(1, 2.0), Pair(3, 4.0)],
        "tuples": [(1, "a"), (2, "b")],
        "lists": [[1, 2], [3, 4]],
        "tensors of different shapes": [lib.tensor([1.0, 2.0]), lib.tensor([3.0])],
        "lists of different lengths": [[1, 2], [3]],
        "None": [None, None],
    }


def _describe(value: Any) -> Any:
    if hasattr(value, "dtype") and not isinstance(value, (np.ndarray, np.generic)):
        return ("tensor", str(value.dtype).replace("torch.", ""), value.tolist())
    if isinstance(value, collections.abc.Mapping):
        return (type(value).__name__, {k: _describe(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_describe(v) for v in value])
    return (type(value).__name__, value)


COLLATE_EXPECTED: dict[str, Any] = {
    "tensors": ("tensor", "float32", [[1.0, 2.0], [3.0, 4.0]]),
    "ints": ("tensor", "int64", [1, 2]),
    "floats": ("tensor", "float64", [1.5, 2.0]),
    "bools": ("tensor", "bool", [True, False]),
    "numpy float32 scalars": ("tensor", "float32", [1.0, 2.0]),
    "numpy int32 scalars": ("tensor", "int32", [1, 2]),
    "numpy bool scalars": ("tensor", "bool", [True, False]),
    "numpy arrays": ("tensor", "float32", [[0.0, 0.0], [1.0, 1.0]]),
    "numpy int8 arrays": ("tensor", "int8", [[0, 0], [1, 1]]),
    "strings": ("list", [("str", "a"), ("str", "b")]),
    "bytes": ("list", [("bytes", b"a"), ("bytes", b"b")]),
    "dicts": (
        "dict",
        {
            "x": ("tensor", "int64", [1, 2]),
            "y": ("list", [("tensor", "int64", [1, 3]), ("tensor", "int64", [2, 4])]),
        },
    ),
    "ordered dicts": ("OrderedDict", {"x": ("tensor", "int64", [1, 2])}),
    "defaultdicts": ("defaultdict", {"a": ("tensor", "int64", [1, 2])}),
    "namedtuples": ("Pair", [("tensor", "int64", [1, 3]), ("tensor", "float64", [2.0, 4.0])]),
    "tuples": ("list", [("tensor", "int64", [1, 2]), ("tuple", [("str", "a"), ("str", "b")])]),
    "lists": ("list", [("tensor", "int64", [1, 3]), ("tensor", "int64", [2, 4])]),
    "tensors of different shapes": RuntimeError,
    "lists of different lengths": RuntimeError,
    "None": TypeError,
}


@pytest.mark.parametrize("case", sorted(COLLATE_EXPECTED))
def test_default_collate_of_every_element_type(case: str) -> None:
    expected = COLLATE_EXPECTED[case]
    batch = _batches(npgrad)[case]
    if isinstance(expected, type):
        with pytest.raises(expected):
            data.default_collate(batch)
        return
    assert _describe(data.default_collate(batch)) == expected


def test_collating_tensors_of_different_shapes_names_the_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got"):
        data.default_collate(_batches(npgrad)["tensors of different shapes"])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        data.default_collate(_batches(npgrad)["lists of different lengths"])


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(COLLATE_EXPECTED))
def test_default_collate_matches_torch(case: str) -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    ours = _outcome(lambda: _describe(data.default_collate(_batches(npgrad)[case])))
    theirs = _outcome(lambda: _describe(torch_collate(_batches(torch)[case])))
    assert ours == theirs


# ---- samplers --------------------------------------------------------------------------------
SAMPLERS: list[tuple[str, dict[str, Any]]] = [
    ("RandomSampler", {"replacement": True, "num_samples": 25}),
    ("RandomSampler", {"num_samples": 25}),
    ("RandomSampler", {"num_samples": 0}),
    ("RandomSampler", {"replacement": 1}),
    ("BatchSampler", {"batch_size": 3, "drop_last": True}),
    ("BatchSampler", {"batch_size": 3, "drop_last": False}),
    ("BatchSampler", {"batch_size": 0, "drop_last": False}),
    ("BatchSampler", {"batch_size": 3, "drop_last": None}),
]


def _sampler_result(lib_data: Any, name: str, kwargs: dict[str, Any]) -> Any:
    sampler = getattr(lib_data, name)(range(10), **kwargs)
    return len(sampler), len(list(sampler))


@pytest.mark.parametrize(("name", "kwargs"), SAMPLERS)
def test_sampler_lengths_and_validation(name: str, kwargs: dict[str, Any]) -> None:
    kind, result = _outcome(lambda: _sampler_result(data, name, kwargs))
    if kwargs.get("num_samples") == 0 or kwargs.get("batch_size") == 0:
        assert kind == "ValueError"
    elif type(kwargs.get("replacement")) is int or kwargs.get("drop_last", False) is None:
        assert kind in ("TypeError", "ValueError")
    elif name == "RandomSampler":
        assert result == (kwargs["num_samples"],) * 2
    else:
        expected = 10 // 3 if kwargs["drop_last"] else math.ceil(10 / 3)
        assert result == (expected, expected)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs"), SAMPLERS)
def test_sampler_lengths_and_validation_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    assert _outcome(lambda: _sampler_result(data, name, kwargs)) == _outcome(
        lambda: _sampler_result(torch.utils.data, name, kwargs)
    )
