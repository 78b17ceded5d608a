"""Creation: tensor/as_tensor/from_numpy dtype inference and memory, filled tensors, ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.testing import assert_close

SUPPORTED = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


# ---- tensor(): dtype inference ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        ([1.0, 2.5], "float32", (2,)),
        (1.5, "float32", ()),
        ([1, 2], "int64", (2,)),
        (7, "int64", ()),
        ([True, False], "bool", (2,)),
        (True, "bool", ()),
        ([1, 2.5], "float32", (2,)),  # mixed int/float -> default float
        ([True, 2], "int64", (2,)),
        ([[1.0], [2.0]], "float32", (2, 1)),
        ([], "float32", (0,)),
        ([[]], "float32", (1, 0)),
        (np.float64(1.5), "float64", ()),  # NumPy scalars keep their dtype
        (np.int16(3), "int16", ()),
    ],
)
def test_tensor_infers_dtype_like_pytorch(data: object, dtype: str, shape: tuple[int, ...]) -> None:
    t = npgrad.tensor(data)
    assert t.dtype == np.dtype(dtype)
    assert t.shape == shape
    assert np.array_equal(t.numpy(), np.asarray(data, dtype=dtype))


@pytest.mark.parametrize("dtype", SUPPORTED)
def test_tensor_from_ndarray_keeps_its_dtype(dtype: str) -> None:
    a = np.array([[0, 1], [1, 0]]).astype(dtype)
    t = npgrad.tensor(a)
    assert t.dtype == np.dtype(dtype)
    assert np.array_equal(t.numpy(), a)


def test_python_floats_follow_the_default_dtype(default_float64: None) -> None:
    assert npgrad.tensor([1.5]).dtype == npgrad.float64
    assert npgrad.tensor(np.array([1.5], np.float32)).dtype == npgrad.float32


def test_explicit_dtype_converts_python_data_directly() -> None:
    # regression: [0.1] used to pass through float32 on its way to float64
    assert npgrad.tensor([0.1], dtype=npgrad.float64).tolist() == [0.1]
    assert npgrad.tensor([1, 2], dtype=npgrad.float32).dtype == npgrad.float32
    # like PyTorch, float -> int truncates toward zero
    assert npgrad.tensor([1.7, -1.7], dtype=npgrad.int64).tolist() == [1, -1]
    assert npgrad.tensor(np.array([1.5, 2.5]), dtype="float16").dtype == npgrad.float16


def test_tensor_of_tensors_stacks_them() -> None:
    t = npgrad.tensor([npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])])
    assert t.shape == (2, 2) and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        ([1j], TypeError, "complex|dtype"),
        (["a"], TypeError, "convert"),
        ([None], TypeError, "convert"),
        (np.array([1, 2], np.uint16), TypeError, "not supported"),
        (2**70, ValueError, "int64 range"),
        ([2**63], ValueError, "int64 range"),
        ([[1, 2], [3]], ValueError, "inhomogeneous|sequence"),
    ],
)
def test_tensor_rejects_unsupported_data(data: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        npgrad.tensor(data)


def test_largest_int64_is_accepted() -> None:
    assert npgrad.tensor([2**63 - 1, -(2**63)]).tolist() == [2**63 - 1, -(2**63)]


def test_requires_grad_only_for_floating_dtypes() -> None:
    x = npgrad.tensor([1.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    for make in (
        lambda: npgrad.tensor([1], requires_grad=True),
        lambda: npgrad.zeros(2, dtype=npgrad.int64, requires_grad=True),
        lambda: npgrad.arange(5, requires_grad=True),
        lambda: npgrad.full((2,), True, requires_grad=True),
    ):
        with pytest.raises(RuntimeError, match="floating point"):
            make()


# ---- memory: copy vs share -------------------------------------------------------------------
def test_tensor_copies_an_ndarray() -> None:
    a = np.array([1.0, 2.0])
    t = npgrad.tensor(a)
    a[0] = 99.0
    assert t.tolist() == [1.0, 2.0]
    assert not np.shares_memory(t.numpy(), a)


def test_tensor_copies_a_tensor_and_leaves_the_graph() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = npgrad.tensor(x)
    assert not np.shares_memory(x.numpy(), y.numpy())
    assert not y.requires_grad and y.grad_fn is None


def test_as_tensor_and_from_numpy_share_memory() -> None:
    a = np.array([1.0, 2.0])
    for t in (npgrad.as_tensor(a), npgrad.from_numpy(a), npgrad.as_tensor(a, dtype=npgrad.float64)):
        assert t.dtype == npgrad.float64
        assert np.shares_memory(t.numpy(), a)
    a[0] = 5.0
    assert npgrad.from_numpy(a).tolist()[0] == 5.0


def test_as_tensor_copies_only_when_it_must_cast() -> None:
    a = np.array([1.0, 2.0])
    t = npgrad.as_tensor(a, dtype=npgrad.float32)
    assert t.dtype == npgrad.float32 and not np.shares_memory(t.numpy(), a)
    x = npgrad.tensor([1.0])
    assert npgrad.as_tensor(x) is x
    assert npgrad.as_tensor(x, dtype=npgrad.float32) is x
    assert npgrad.as_tensor(x, dtype=npgrad.float64).dtype == npgrad.float64
    assert npgrad.as_tensor([1, 2]).dtype == npgrad.int64


def test_from_numpy_needs_an_ndarray() -> None:
    with pytest.raises(TypeError, match="ndarray"):
        npgrad.from_numpy([1.0, 2.0])  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from([np.dtype(d) for d in SUPPORTED]),
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    )
)
def test_ndarray_round_trip(a: np.ndarray) -> None:
    t = npgrad.tensor(a)
    assert t.dtype == a.dtype and t.shape == a.shape
    assert np.array_equal(t.numpy(), a, equal_nan=True)
    s = npgrad.from_numpy(a)
    assert s.numpy() is a or np.shares_memory(s.numpy(), a) or a.size == 0


# ---- filled tensors --------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [npgrad.zeros, npgrad.ones, npgrad.empty])
def test_size_forms(fn: object) -> None:
    for args, shape in [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([2, 3],), (2, 3)), (((),), ())]:
        t = fn(*args)  # type: ignore[operator]
        assert t.shape == shape and t.dtype == npgrad.float32
    assert fn(np.int64(2)).shape == (2,)  # type: ignore[operator]
    assert fn(2, 0).shape == (2, 0)  # type: ignore[operator]
    assert fn(2, dtype=npgrad.int32).dtype == npgrad.int32  # type: ignore[operator]


@pytest.mark.parametrize("fn", [npgrad.zeros, npgrad.ones, npgrad.empty])
def test_bad_sizes(fn: object) -> None:
    with pytest.raises(ValueError, match="negative"):
        fn(-1)  # type: ignore[operator]
    with pytest.raises(TypeError, match="size"):
        fn(2.5)  # type: ignore[operator]  # regression: used to become 2 silently
    with pytest.raises(TypeError, match="size"):
        fn("3")  # type: ignore[operator]


def test_zeros_ones_values() -> None:
    assert npgrad.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert npgrad.ones(3, dtype=npgrad.int64).tolist() == [1, 1, 1]
    assert npgrad.ones(2, dtype=npgrad.bool).tolist() == [True, True]
    z = npgrad.zeros(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf


@pytest.mark.parametrize(
    ("fill", "dtype"),
    [
        (1.5, "float32"),
        (3, "int64"),
        (True, "bool"),
        (np.float64(1.5), "float32"),
        (np.int8(3), "int64"),
    ],
)
def test_full_infers_its_dtype_from_the_value(fill: object, dtype: str) -> None:
    t = npgrad.full((2, 2), fill)
    assert t.dtype == np.dtype(dtype) and t.shape == (2, 2)
    assert np.all(t.numpy() == fill)


def test_full_with_dtype() -> None:
    t = npgrad.full((3,), 3, dtype=npgrad.float64)
    assert t.dtype == npgrad.float64 and t.tolist() == [3.0, 3.0, 3.0]


def test_like_functions() -> None:
    src = npgrad.tensor([[1, 2, 3]])
    for fn, value in [(npgrad.zeros_like, 0), (npgrad.ones_like, 1)]:
        t = fn(src)
        assert t.shape == (1, 3) and t.dtype == npgrad.int64 and np.all(t.numpy() == value)
        assert fn(src, dtype=npgrad.float64).dtype == npgrad.float64
    e = npgrad.empty_like(npgrad.zeros(2, dtype=npgrad.float16))
    assert e.shape == (2,) and e.dtype == npgrad.float16
    assert npgrad.full_like(src, 2.7).tolist() == [[2, 2, 2]]  # cast to the int dtype
    assert npgrad.full_like(src, 2.7, dtype=npgrad.float32).numpy()[0, 0] == np.float32(2.7)
    r = npgrad.zeros_like(npgrad.zeros(2), requires_grad=True)
    assert r.requires_grad
    with pytest.raises(TypeError, match="Tensor"):
        npgrad.zeros_like(np.zeros(2))  # type: ignore[arg-type]


# ---- ranges --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "expected", "dtype"),
    [
        ((5,), {}, [0, 1, 2, 3, 4], "int64"),
        ((2, 5), {}, [2, 3, 4], "int64"),
        ((0, 10, 3), {}, [0, 3, 6, 9], "int64"),
        ((5, 0, -1), {}, [5, 4, 3, 2, 1], "int64"),
        ((10, 0, -3), {}, [10, 7, 4, 1], "int64"),
        ((0, 0), {}, [], "int64"),
        ((1, 2.5, 0.5), {}, [1.0, 1.5, 2.0], "float32"),
        ((0.5, 3), {}, [0.5, 1.5, 2.5], "float32"),
        ((-3, 3, 1.5), {}, [-3.0, -1.5, 0.0, 1.5], "float32"),
        ((1.0, -1.0, -0.5), {}, [1.0, 0.5, 0.0, -0.5], "float32"),
        ((4,), {"dtype": npgrad.float64}, [0.0, 1.0, 2.0, 3.0], "float64"),
        ((np.int32(3),), {}, [0, 1, 2], "int64"),
    ],
)
def test_arange(args: tuple, kwargs: dict, expected: list, dtype: str) -> None:
    t = npgrad.arange(*args, **kwargs)
    assert t.dtype == np.dtype(dtype)
    assert t.tolist() == expected


def test_arange_float_length_matches_pytorch_rule() -> None:
    # ceil((end - start) / step) in double: 10 elements, not 11
    t = npgrad.arange(0, 1, 0.1)
    assert t.shape == (10,)
    assert_close(t, npgrad.tensor(np.arange(10) * 0.1, dtype=npgrad.float32))


def test_arange_of_large_integers_is_exact() -> None:
    # regression: computed through float64 every value came out as 2**60
    assert npgrad.arange(2**60, 2**60 + 3).tolist() == [2**60, 2**60 + 1, 2**60 + 2]


def test_arange_follows_the_default_dtype(default_float64: None) -> None:
    assert npgrad.arange(0.0, 1.0, 0.5).dtype == npgrad.float64
    assert npgrad.arange(3).dtype == npgrad.int64


def test_arange_errors() -> None:
    with pytest.raises(ValueError, match="step must be nonzero"):
        npgrad.arange(0, 5, 0)
    with pytest.raises(ValueError, match="inconsistent"):
        npgrad.arange(5, 0)
    with pytest.raises(ValueError, match="inconsistent"):
        npgrad.arange(0, 5, -1)


@pytest.mark.parametrize("dtype", [npgrad.float32, npgrad.float64])
def test_linspace_and_logspace_against_numpy(dtype: np.dtype) -> None:
    t = npgrad.linspace(-1.0, 2.0, 7, dtype=dtype)
    assert t.dtype == dtype
    assert_close(t, np.linspace(-1.0, 2.0, 7).astype(dtype))
    assert t.numpy()[0] == -1.0 and t.numpy()[-1] == 2.0  # endpoints exact
    lg = npgrad.logspace(0, 3, 4, dtype=dtype)
    assert_close(lg, np.array([1.0, 10.0, 100.0, 1000.0], dtype))
    assert_close(npgrad.logspace(0, 3, 4, base=2, dtype=dtype), np.array([1.0, 2, 4, 8], dtype))


def test_linspace_defaults_and_edges() -> None:
    assert npgrad.linspace(0, 1, 5).dtype == npgrad.float32  # int endpoints still float
    assert npgrad.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert npgrad.linspace(-1, 1, 1).tolist() == [-1.0]
    assert npgrad.linspace(0, 1, 0).shape == (0,)
    assert npgrad.linspace(0, 10, 5, dtype=npgrad.int64).tolist() == [0, 2, 5, 7, 10]
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.linspace(0, 1, -1)
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.logspace(0, 1, -1)


def test_eye() -> None:
    assert npgrad.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert npgrad.eye(2).dtype == npgrad.float32
    e = npgrad.eye(2, 3, dtype=npgrad.int64)
    assert e.dtype == npgrad.int64 and e.tolist() == [[1, 0, 0], [0, 1, 0]]
    assert npgrad.eye(0).shape == (0, 0)
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.eye(-1)
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.eye(2, -1)


# ---- PyTorch parity --------------------------------------------------------------------------
@pytest.mark.torch
def test_creation_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    calls = [
        ("tensor", ([1.0, 2.5],), {}),
        ("tensor", ([1, 2],), {}),
        ("tensor", ([True, 2],), {}),
        ("tensor", ([[1, 2.5], [3, 4]],), {}),
        ("tensor", (np.array([1, 2], np.int16),), {}),
        ("tensor", ([0.1, 0.2],), {"dtype": "float64"}),
        ("tensor", ([1.7, -2.7],), {"dtype": "int32"}),
        ("full", ((2, 2), 1.5), {}),
        ("full", ((2,), 3), {}),
        ("full", ((2,), True), {}),
        ("full", ((2,), np.float64(2.5)), {}),
        ("arange", (5,), {}),
        ("arange", (5, 0, -2), {}),
        ("arange", (0, 1, 0.1), {}),
        ("arange", (-1.5, 2.5, 0.7), {}),
        ("arange", (0, 5), {"dtype": "float64"}),
        ("linspace", (-1, 1, 9), {}),
        ("linspace", (0, 10, 5), {"dtype": "int64"}),
        ("linspace", (0.0, 1.0, 7), {"dtype": "float64"}),
        ("logspace", (-2, 2, 5), {}),
        ("logspace", (0, 4, 5), {"base": 2.0}),
        ("eye", (3,), {}),
        ("eye", (2, 4), {"dtype": "int64"}),
        ("zeros", (2, 3), {"dtype": "int8"}),
        ("ones", ((3,),), {"dtype": "float16"}),
    ]
    for name, args, kwargs in calls:
        tk = {k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()}
        nk = {k: np.dtype(v) if k == "dtype" else v for k, v in kwargs.items()}
        expected = getattr(torch, name)(*args, **tk)
        got = getattr(npgrad, name)(*args, **nk)
        assert str(got.dtype) == str(expected.dtype).split(".")[1], (name, args, kwargs)
        # float32 linspace: torch computes in float32, npgrad rounds the float64 value once
        assert_close(got, expected.numpy(), msg=f"{name}{args}{kwargs}")


def test_python_numbers_for_an_integer_dtype_must_fit_it():
    assert npgrad.tensor([-1, 255], dtype=npgrad.uint8).tolist() == [255, 255]
    assert npgrad.tensor([1.5, -2.7], dtype=npgrad.int8).tolist() == [1, -2]
    for bad, dt in (
        ([-1, 256], npgrad.uint8),
        ([-129], npgrad.int8),
        ([float("nan")], npgrad.int32),
    ):
        with pytest.raises(RuntimeError, match="cannot be converted to type"):
            npgrad.tensor(bad, dtype=dt)
    assert npgrad.full((2,), -1, dtype=npgrad.uint8).tolist() == [255, 255]
    with pytest.raises(RuntimeError, match="full: value 300 cannot be converted to type uint8"):
        npgrad.full((2,), 300, dtype=npgrad.uint8)
    t = npgrad.tensor([1, 2], dtype=npgrad.uint8)
    assert t.fill_(-1).tolist() == [255, 255]
    with pytest.raises(RuntimeError, match="fill_: value 256"):
        t.fill_(256)


def test_arange_of_zero_dim_tensors_counts_their_numbers():
    r = npgrad.arange(npgrad.tensor(3))
    assert r.dtype == npgrad.int64 and r.tolist() == [0, 1, 2]
    assert npgrad.arange(npgrad.tensor(0.5), 2).dtype == npgrad.float32


def test_python_ints_beyond_int64_raise_unless_the_dtype_is_floating():
    for data in ([2**63, 1], [[1, 2**63]], [True, -(2**63) - 1]):
        with pytest.raises(ValueError, match="out of the int64 range"):
            npgrad.tensor(data)
    # with a float among them the inferred dtype is floating: the ints become floats, as in
    # PyTorch
    assert npgrad.tensor([[1.5, 2**63]]).dtype == npgrad.float32
    assert npgrad.tensor([-(2**63) - 1, 0.5]).dtype == npgrad.float32
    assert npgrad.tensor([1e19, 1]).dtype == npgrad.float32  # a float that large is fine


def test_integer_arange_and_logspace_truncate_their_bounds_first():
    assert npgrad.arange(0, 3.5, dtype=npgrad.int64).tolist() == [0, 1, 2]
    assert npgrad.arange(0, 5, 1.5, dtype=npgrad.int64).tolist() == [0, 1, 2, 3, 4]
    assert npgrad.arange(-0.5, 3, dtype=npgrad.int64).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="step must be nonzero"):
        npgrad.arange(0, 1, 0.25, dtype=npgrad.int64)
    assert npgrad.logspace(0.5, 2.5, 3, dtype=npgrad.int64).tolist() == [1, 10, 100]
    assert npgrad.full_like(npgrad.ones(2, dtype=npgrad.uint8), -1).tolist() == [255, 255]


@pytest.mark.parametrize("fill", [None, "a", [1.0], 1 + 2j])
def test_full_refuses_a_fill_value_that_is_not_a_real_number(fill: object) -> None:
    # None used to fill with nan silently
    with pytest.raises(TypeError, match="full: fill_value must be a real number"):
        npgrad.full((2,), fill)
    with pytest.raises(TypeError, match="full_like: fill_value must be a real number"):
        npgrad.full_like(npgrad.zeros(2), fill)


def test_full_takes_a_one_element_tensor_as_its_value() -> None:
    t = npgrad.full((2,), npgrad.tensor([3]))
    assert t.dtype == npgrad.int64 and t.tolist() == [3, 3]
    with pytest.raises(TypeError, match="full: fill_value must be a real number"):
        npgrad.full((2,), npgrad.tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda: npgrad.zeros(2, dtype="banana"), "zeros"),
        (lambda: npgrad.eye(2, dtype="banana"), "eye"),
        (lambda: npgrad.zeros_like(npgrad.ones(2), dtype="banana"), "zeros_like"),
        (lambda: npgrad.ones(2).to("banana"), "to"),
    ],
)
def test_a_bad_dtype_names_the_function(make, op) -> None:
    with pytest.raises(TypeError, match=f"^{op}: not a dtype: 'banana'"):
        make()


@pytest.mark.torch
@pytest.mark.parametrize("fill", [None, "a", [1.0]])
def test_full_bad_fill_values_raise_type_errors_as_in_pytorch(fill: object) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.full((2,), fill)
    with pytest.raises(TypeError):
        npgrad.full((2,), fill)
