"""default_collate / default_convert / collate: PyTorch's batching rules."""

from __future__ import annotations

import collections
from typing import NamedTuple

import numpy as np
import pytest

import npgrad
from npgrad.data import DataLoader, TensorDataset, default_collate, default_convert
from npgrad.data.collate import collate, default_collate_fn_map
from npgrad.tensor import Tensor


class Point(NamedTuple):
    x: float
    label: str


def test_tensors_stack_along_a_new_first_dimension():
    out = default_collate([npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])])
    assert isinstance(out, Tensor) and out.shape == (2, 2) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [3, 4]])
    assert not out.requires_grad


def test_collating_tensors_that_require_grad_keeps_the_graph_like_torch_stack():
    w = npgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    batch = default_collate([w[2], w[0]])
    assert batch.requires_grad and batch.grad_fn is not None
    (batch * npgrad.tensor([[1.0, 1.0], [2.0, 2.0]])).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[2, 2], [0, 0], [1, 1]])
    with npgrad.no_grad():
        assert not default_collate([w[0], w[1]]).requires_grad
    loader_batch = next(iter(DataLoader(TensorDataset(w), batch_size=2)))[0]
    assert loader_batch.requires_grad  # num_workers=0, as with torch's DataLoader


def test_numbers_become_tensors_of_pytorchs_dtypes():
    ints, floats, bools = (
        default_collate([1, 2]),
        default_collate([0.5, 1.5]),
        default_collate([True, False]),
    )
    assert ints.dtype == np.int64 and ints.tolist() == [1, 2]
    assert floats.dtype == np.float64 and floats.tolist() == [0.5, 1.5]
    assert bools.dtype == np.bool_ and bools.tolist() == [True, False]


def test_numpy_arrays_and_scalars_keep_their_dtype():
    arrays = default_collate([np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)])
    assert arrays.shape == (2, 2, 3) and arrays.dtype == np.float32
    for scalar_type in (np.float64, np.float32, np.int32, np.int8, np.uint8, np.bool_):
        out = default_collate([scalar_type(1), scalar_type(0)])
        assert out.dtype == np.dtype(scalar_type) and out.shape == (2,)


def test_strings_and_bytes_stay_lists():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_nested_dicts_tuples_lists_and_namedtuples():
    batch = [
        {"img": np.full((2,), i, np.float32), "meta": (i, f"s{i}"), "pts": Point(0.5 * i, "p")}
        for i in range(3)
    ]
    out = default_collate(batch)
    assert set(out) == {"img", "meta", "pts"}
    assert out["img"].shape == (3, 2)
    assert isinstance(out["meta"], list)  # a tuple becomes a list, like PyTorch
    # strings inside a tuple come back as the transposed tuple, exactly as in PyTorch
    assert out["meta"][0].tolist() == [0, 1, 2] and out["meta"][1] == ("s0", "s1", "s2")
    assert isinstance(out["pts"], Point)
    assert out["pts"].x.tolist() == [0.0, 0.5, 1.0] and out["pts"].label == ("p", "p", "p")


def test_mapping_and_sequence_subclasses_keep_their_type():
    batch = [collections.OrderedDict(a=1, b=2.0), collections.OrderedDict(a=3, b=4.0)]
    out = default_collate(batch)
    assert type(out) is collections.OrderedDict and list(out) == ["a", "b"]
    lists = default_collate([[1, 2], [3, 4]])
    assert isinstance(lists, list) and [t.tolist() for t in lists] == [[1, 3], [2, 4]]


def test_unequal_tensor_shapes_name_the_shapes_and_the_field():
    with pytest.raises(
        RuntimeError,
        match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1",
    ):
        default_collate([npgrad.zeros(2), npgrad.zeros(3)])
    batch = [{"x": [npgrad.zeros(2, 2)]}, {"x": [npgrad.zeros(2, 2)]}, {"x": [npgrad.zeros(2, 1)]}]
    with pytest.raises(
        RuntimeError, match=r"\[2, 1\] at entry 2 \(in field \['x'\]\[0\] of the samples\)"
    ):
        default_collate(batch)
    with pytest.raises(RuntimeError, match=r"in field \['pts'\]\['x'\]"):
        default_collate([{"pts": Point(np.zeros(2), "a")}, {"pts": Point(np.zeros(1), "b")}])


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        ((np.float32, np.int64), np.float32),  # NumPy would give float64
        ((np.int64, np.float32), np.float32),
        ((np.float16, np.int32), np.float16),
        ((np.int32, np.bool_), np.int32),
        ((np.uint8, np.int8), np.int16),
        ((np.float32, np.float64), np.float64),
    ],
)
def test_collating_tensors_of_different_dtypes_promotes_like_torch_stack(dtypes, expected):
    tensors = [npgrad.tensor(np.ones(2, dtype=d)) for d in dtypes]
    assert default_collate(tensors).dtype == expected
    assert default_collate([t[0] for t in tensors]).dtype == expected  # 0-d tensors too
    arrays = default_collate([np.ones(2, dtype=d) for d in dtypes])
    assert arrays.dtype == expected and arrays.tolist() == [[1, 1], [1, 1]]


def test_collating_a_non_tensor_after_a_tensor_raises_type_error():
    with pytest.raises(TypeError, match=r"expected Tensor as element 1 .* got int"):
        default_collate([npgrad.zeros(2), 3])
    with pytest.raises(TypeError, match=r"expected Tensor as element 2 .* got numpy.ndarray"):
        default_collate([npgrad.zeros(2), npgrad.ones(2), np.zeros(2, np.float32)])


def test_sequences_of_unequal_length_and_unknown_types_raise():
    with pytest.raises(RuntimeError, match=r"equal size \(got lengths \[2, 1\]\)"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_fn_map_adds_a_type_and_exact_types_win():
    class Box:
        def __init__(self, v):
            self.v = v

    custom = {
        **default_collate_fn_map,
        Box: lambda batch, *, collate_fn_map: sum(b.v for b in batch),
    }
    assert collate([(Box(1), "a"), (Box(2), "b")], collate_fn_map=custom) == [3, ("a", "b")]
    bool_first = {
        bool: lambda b, *, collate_fn_map: "bools",
        int: lambda b, *, collate_fn_map: "ints",
    }
    assert collate([True], collate_fn_map=bool_first) == "bools"
    assert collate([3], collate_fn_map=bool_first) == "ints"


def test_default_convert_turns_numpy_into_tensors_recursively():
    out = default_convert({"a": np.arange(3), "b": (np.float64(1.5), "s"), "c": [np.int8(2)]})
    assert isinstance(out["a"], Tensor) and out["a"].dtype == np.int64
    assert isinstance(out["b"], list) and out["b"][0].dtype == np.float64 and out["b"][1] == "s"
    assert out["c"][0].dtype == np.int8
    t = npgrad.zeros(2)
    assert default_convert(t) is t
    strings = np.array(["x", "y"])
    assert default_convert(strings) is strings
    assert default_convert(np.str_("z")) == "z" and default_convert(7) == 7
    assert default_convert(Point(np.float32(1.0), "q")).x.dtype == np.float32


# ---- PyTorch parity: the same batch structure, types and values -----------------------------
def _to_plain(x):
    """Nested structure -> comparable form: tensors become (dtype name, shape, values)."""
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        arr = np.asarray(x.numpy())
        return ("tensor", str(arr.dtype), arr.shape, arr.tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: _to_plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", tuple(_to_plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_to_plain(v) for v in x])
    return x


def _batches(torch):
    def both(make):
        return make(npgrad), make(torch)

    return [
        both(lambda m: [m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])]),
        both(lambda m: [m.tensor([1, 2]), m.tensor([3, 4])]),
        both(lambda m: [m.tensor([1.0, 2.0]), m.tensor([3, 4])]),
        both(lambda m: [m.tensor(1), m.tensor(2.5)]),
        ([np.ones(2, np.int64), np.ones(2, np.float32)],) * 2,
        ([np.ones(2, np.uint8), np.ones(2, np.int8)],) * 2,
        ([1, 2, 3],) * 2,
        ([0.5, 2.0],) * 2,
        ([True, False],) * 2,
        ([np.float32(1.0), np.float32(2.0)],) * 2,
        ([np.int32(1), np.int32(2)],) * 2,
        ([np.bool_(True), np.bool_(False)],) * 2,
        ([np.arange(6.0).reshape(2, 3), np.ones((2, 3))],) * 2,
        ([np.arange(3, dtype=np.uint8)] * 2,) * 2,
        (["a", "b"],) * 2,
        ([{"x": 1.0, "y": "s"}, {"x": 2.0, "y": "t"}],) * 2,
        ([(1, "a", 2.5), (2, "b", 3.5)],) * 2,
        ([[1, 2.0], [3, 4.0]],) * 2,
        ([Point(1.0, "p"), Point(2.0, "q")],) * 2,
        ([collections.OrderedDict(z=[np.zeros(2)], a=(3,))] * 3,) * 2,
        ([{"nested": {"deep": [np.int64(1), 2]}}] * 2,) * 2,
    ]


@pytest.mark.torch
def test_default_collate_matches_torch_structure_types_and_values():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    for ours, theirs in _batches(torch):
        assert _to_plain(default_collate(ours)) == _to_plain(torch_collate(theirs)), ours


@pytest.mark.torch
def test_default_convert_matches_torch_structure_types_and_values():
    pytest.importorskip("torch")
    from torch.utils.data import default_convert as torch_convert

    samples = [
        {"a": np.arange(3), "b": (np.float64(1.5), "s"), "c": [np.int8(2)]},
        Point(np.float32(1.0), "q"),
        (np.zeros((2, 2)), [np.bool_(True)]),
        5,
        "text",
    ]
    for sample in samples:
        assert _to_plain(default_convert(sample)) == _to_plain(torch_convert(sample))


@pytest.mark.torch
def test_unequal_shapes_raise_the_same_error_type_and_message_as_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    with pytest.raises(RuntimeError) as theirs:
        torch_collate([torch.zeros(2, 3), torch.zeros(2, 4)])
    with pytest.raises(RuntimeError) as ours:
        default_collate([npgrad.zeros(2, 3), npgrad.zeros(2, 4)])
    assert str(ours.value) == str(theirs.value)
