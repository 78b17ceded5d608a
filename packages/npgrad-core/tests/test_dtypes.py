"""dtypes: PyTorch's promotion table, result_type over tensors/0-dim/scalars, default dtype."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
from npgrad import dtypes

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SHORT = dict(zip(["b", "u8", "i8", "i16", "i32", "i64", "f16", "f32", "f64"], NAMES))

# PyTorch's promote_types, written out (row dtype with column dtype)
PROMOTION_TABLE = """
        b   u8   i8  i16  i32  i64  f16  f32  f64
  b:    b   u8   i8  i16  i32  i64  f16  f32  f64
 u8:   u8   u8  i16  i16  i32  i64  f16  f32  f64
 i8:   i8  i16   i8  i16  i32  i64  f16  f32  f64
i16:  i16  i16  i16  i16  i32  i64  f16  f32  f64
i32:  i32  i32  i32  i32  i32  i64  f16  f32  f64
i64:  i64  i64  i64  i64  i64  i64  f16  f32  f64
f16:  f16  f16  f16  f16  f16  f16  f16  f32  f64
f32:  f32  f32  f32  f32  f32  f32  f32  f32  f64
f64:  f64  f64  f64  f64  f64  f64  f64  f64  f64
"""


def _table() -> dict[tuple[str, str], str]:
    lines = PROMOTION_TABLE.strip().splitlines()
    cols = [SHORT[c] for c in lines[0].split()]
    out = {}
    for line in lines[1:]:
        row, cells = line.split(":")
        for col, cell in zip(cols, cells.split()):
            out[(SHORT[row.strip()], col)] = SHORT[cell]
    return out


TABLE = _table()
PAIRS = list(itertools.product(NAMES, NAMES))


def _tensor(kind: str, name: str) -> npgrad.Tensor:
    return npgrad.zeros(() if kind == "zero" else (2,), dtype=name)


# ---- promote_types ---------------------------------------------------------------------------
def test_table_is_complete_and_symmetric() -> None:
    assert len(TABLE) == 81
    assert all(TABLE[(a, b)] == TABLE[(b, a)] for a, b in PAIRS)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_promote_types_matches_the_written_table(a: str, b: str) -> None:
    assert npgrad.promote_types(np.dtype(a), np.dtype(b)) == np.dtype(TABLE[(a, b)])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("uint8", "int8", "int16"),  # no unsigned type holds both: widen
        ("bool", "uint8", "uint8"),
        ("int64", "float16", "float16"),  # NumPy says float64; PyTorch keeps the float
        ("int32", "float32", "float32"),  # NumPy says float64
        ("uint8", "float16", "float16"),
        ("float16", "float64", "float64"),
        ("bool", "bool", "bool"),
    ],
)
def test_key_cells_and_differences_from_numpy(a: str, b: str, expected: str) -> None:
    assert dtypes.promote_types(a, b) == np.dtype(expected)
    assert dtypes.promote_types(b, a) == np.dtype(expected)


def test_promote_types_accepts_numpy_types_and_strings() -> None:
    assert npgrad.promote_types(np.int64, "float32") is np.dtype("float32")
    assert npgrad.promote_types(npgrad.long, npgrad.half) == npgrad.float16


# ---- result_type -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # dimensioned tensors promote like promote_types
        (("dim", "int32"), ("dim", "float16"), "float16"),
        (("dim", "uint8"), ("dim", "int8"), "int16"),
        # a 0-dim tensor of the same category does not widen a dimensioned one
        (("dim", "float32"), ("zero", "float64"), "float32"),
        (("dim", "int32"), ("zero", "int64"), "int32"),
        (("dim", "uint8"), ("zero", "int8"), "uint8"),
        (("dim", "float16"), ("zero", "float64"), "float16"),
        # ... but one of a higher category decides
        (("dim", "int64"), ("zero", "float64"), "float64"),
        (("dim", "bool"), ("zero", "int8"), "int8"),
        (("dim", "int8"), ("zero", "float16"), "float16"),
        # two 0-dim tensors promote normally
        (("zero", "int64"), ("zero", "float16"), "float16"),
        (("zero", "float32"), ("zero", "float64"), "float64"),
    ],
)
def test_result_type_tensor_tiers(a: tuple[str, str], b: tuple[str, str], expected: str) -> None:
    ta, tb = _tensor(*a), _tensor(*b)
    assert npgrad.result_type(ta, tb) == np.dtype(expected)
    assert npgrad.result_type(tb, ta) == np.dtype(expected)


@pytest.mark.parametrize(
    ("kind", "name", "scalar", "expected"),
    [
        ("dim", "float32", 2.5, "float32"),
        ("dim", "float16", 2.5, "float16"),  # scalars never widen within a category
        ("dim", "float64", 2, "float64"),
        ("dim", "int8", 1000, "int8"),
        ("dim", "uint8", -1, "uint8"),
        ("dim", "int32", 2.5, "float32"),  # the default float, not float64
        ("dim", "bool", 2, "int64"),
        ("dim", "bool", True, "bool"),
        ("dim", "bool", 2.5, "float32"),
        ("zero", "int16", 2, "int16"),
        ("zero", "int64", 2.5, "float32"),
        ("zero", "float64", 2.5, "float64"),
        ("dim", "int32", np.float64(2.5), "float32"),  # NumPy scalars count as scalars
        ("dim", "int16", np.int64(2), "int16"),
        ("dim", "float16", np.float64(2.5), "float16"),
    ],
)
def test_result_type_with_scalars(kind: str, name: str, scalar: object, expected: str) -> None:
    t = _tensor(kind, name)
    assert npgrad.result_type(t, scalar) == np.dtype(expected)
    assert npgrad.result_type(scalar, t) == np.dtype(expected)


def test_result_type_of_numpy_arrays_follows_their_dimensions() -> None:
    assert npgrad.result_type(np.zeros(2, np.float64), np.zeros(2, np.float16)) == npgrad.float64
    assert npgrad.result_type(np.zeros(2, np.float16), np.zeros((), np.float64)) == npgrad.float16


def test_result_type_without_operands_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="no operands"):
        npgrad.result_type()


def test_result_type_uses_the_default_dtype_for_float_scalars(default_float64: None) -> None:
    assert npgrad.result_type(npgrad.tensor([1, 2]), 2.5) == npgrad.float64
    assert npgrad.result_type(npgrad.zeros(2, dtype=npgrad.float32), 2.5) == npgrad.float32


def test_complex_scalars_are_rejected() -> None:
    with pytest.raises(TypeError, match="complex"):
        npgrad.result_type(npgrad.zeros(2), 1j)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_binary_op_result_dtype_agrees_with_result_type(a: str, b: str) -> None:
    for ka, kb in [("dim", "dim"), ("dim", "zero"), ("zero", "dim")]:
        ta, tb = _tensor(ka, a), _tensor(kb, b)
        assert (ta + tb).dtype == npgrad.result_type(ta, tb), (ka, a, kb, b)


# ---- default dtype, conversions --------------------------------------------------------------
def test_default_dtype_round_trip() -> None:
    assert npgrad.get_default_dtype() == npgrad.float32
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert npgrad.get_default_dtype() == npgrad.float64
        assert npgrad.tensor([1.5]).dtype == npgrad.float64
        assert npgrad.zeros(2).dtype == npgrad.float64
        assert npgrad.tensor([1]).dtype == npgrad.int64  # ints are unaffected
        npgrad.set_default_dtype("float16")
        assert npgrad.tensor(0.5).dtype == npgrad.float16
    finally:
        npgrad.set_default_dtype(npgrad.float32)
    assert npgrad.get_default_dtype() == npgrad.float32
    assert npgrad.tensor([1.5]).dtype == npgrad.float32


@pytest.mark.parametrize("bad", [npgrad.int64, npgrad.bool, "int32"])
def test_default_dtype_must_be_floating(bad: object) -> None:
    with pytest.raises(TypeError, match="floating"):
        npgrad.set_default_dtype(bad)
    assert npgrad.get_default_dtype() == npgrad.float32


@pytest.mark.parametrize(
    "bad", [np.complex64, np.uint16, "float128" if hasattr(np, "float128") else np.uint64]
)
def test_unsupported_dtypes_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError, match="not supported"):
        dtypes.to_dtype(bad)


def test_to_dtype_rejects_non_dtypes() -> None:
    with pytest.raises(TypeError, match="not a dtype"):
        dtypes.to_dtype(object())


def test_dtype_objects_are_numpy_dtypes_with_torch_aliases() -> None:
    assert npgrad.float32 is np.dtype("float32")
    assert npgrad.float is npgrad.float32 and npgrad.double is npgrad.float64
    assert npgrad.half is npgrad.float16 and npgrad.long is npgrad.int64
    assert npgrad.int is npgrad.int32 and npgrad.short is npgrad.int16
    assert npgrad.bool == np.dtype(bool)


def test_is_floating_point() -> None:
    assert npgrad.is_floating_point(npgrad.zeros(1, dtype=npgrad.float16))
    assert not npgrad.is_floating_point(npgrad.zeros(1, dtype=npgrad.int64))
    assert npgrad.is_floating_point(npgrad.float64)
    assert not npgrad.is_floating_point(npgrad.bool)


# ---- PyTorch parity --------------------------------------------------------------------------
def _torch_name(d: object) -> str:
    return str(d).rsplit(".", 1)[1]


@pytest.mark.torch
def test_promote_types_matches_torch_for_every_pair() -> None:
    torch = pytest.importorskip("torch")
    for a, b in PAIRS:
        expected = _torch_name(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        assert str(npgrad.promote_types(a, b)) == expected, (a, b)
        assert TABLE[(a, b)] == expected, (a, b)


def _torch_tensor(torch: object, kind: str, name: str) -> object:
    return torch.zeros(() if kind == "zero" else (2,), dtype=getattr(torch, name))  # type: ignore[attr-defined]


@pytest.mark.torch
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_result_type_matches_torch_for_tensor_and_scalar_combinations(default: str) -> None:
    torch = pytest.importorskip("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, default))
    npgrad.set_default_dtype(default)
    try:
        kinds = ["dim", "zero"]
        for a, b in PAIRS:
            for ka, kb in itertools.product(kinds, kinds):
                t = torch.result_type(_torch_tensor(torch, ka, a), _torch_tensor(torch, kb, b))
                n = npgrad.result_type(_tensor(ka, a), _tensor(kb, b))
                assert str(n) == _torch_name(t), (ka, a, kb, b)
        # np.bool_ is left out: PyTorch treats it as a float scalar (a quirk npgrad does not copy)
        scalars = [True, 2, 2.5, np.int32(2), np.float64(2.5), np.float16(1.5)]
        for name, kind, s in itertools.product(NAMES, kinds, scalars):
            t_op = _torch_tensor(torch, kind, name)
            n_op = _tensor(kind, name)
            assert str(npgrad.result_type(n_op, s)) == _torch_name(torch.result_type(t_op, s))
            assert str(npgrad.result_type(s, n_op)) == _torch_name(torch.result_type(s, t_op))
    finally:
        torch.set_default_dtype(old)
        npgrad.set_default_dtype(npgrad.float32)
