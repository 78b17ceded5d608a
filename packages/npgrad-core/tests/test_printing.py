"""repr: PyTorch's text with ``torch`` replaced by ``npgrad``.

Documented difference: backward node names carry no version suffix (``MulBackward`` where
PyTorch prints ``MulBackward0``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

import npgrad
from npgrad._printing import get_printoptions, set_printoptions


def f32(*values: float) -> np.ndarray:
    return np.array(values, np.float32)


# ---- exact expected text ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array([1, 2, 3]), "tensor([1, 2, 3])"),
        (np.array([-10, 2, 300]), "tensor([-10,   2, 300])"),
        (f32(1, 2, 3), "tensor([1., 2., 3.])"),
        (f32(-1, 20, 3), "tensor([-1., 20.,  3.])"),
        (f32(0.5, 1.25, -2.125), "tensor([ 0.5000,  1.2500, -2.1250])"),
        (f32(1e10, 1.5), "tensor([1.0000e+10, 1.5000e+00])"),
        (f32(1e-5, 0.5), "tensor([1.0000e-05, 5.0000e-01])"),
        (f32(0.001, 10.5), "tensor([1.0000e-03, 1.0500e+01])"),  # span > 1e3
        (f32(0.02, 10.5), "tensor([ 0.0200, 10.5000])"),
        (f32(1e8, 2), "tensor([1.0000e+08, 2.0000e+00])"),  # integral, but spans > 1e3
        (f32(1e9), "tensor([1.0000e+09])"),  # integral above 1e8
        (f32(np.nan, 1.5, np.inf, -np.inf), "tensor([   nan, 1.5000,    inf,   -inf])"),
        (f32(np.nan, 1, np.inf), "tensor([nan, 1., inf])"),  # widths come from finite values
        (f32(np.nan, np.inf), "tensor([nan, inf])"),
        (f32(-0.0, 1), "tensor([-0., 1.])"),
        (f32(0, 0, 0), "tensor([0., 0., 0.])"),
        (np.array(1.5, np.float32), "tensor(1.5000)"),
        (np.array(2.0, np.float32), "tensor(2.)"),
        (np.array(3), "tensor(3)"),
        (np.array(True), "tensor(True)"),
        (np.array([True, False]), "tensor([ True, False])"),
        (np.zeros(0, np.float32), "tensor([])"),
        (np.zeros(0, np.int64), "tensor([], dtype=npgrad.int64)"),
        (np.zeros(0, bool), "tensor([], dtype=npgrad.bool)"),
        (np.zeros((2, 0), np.float32), "tensor([], size=(2, 0))"),
        (np.zeros((2, 0), np.float64), "tensor([], size=(2, 0), dtype=npgrad.float64)"),
        (np.array([1.5, 2.0]), "tensor([1.5000, 2.0000], dtype=npgrad.float64)"),
        (np.array([0.1, 2], np.float16), "tensor([0.1000, 2.0000], dtype=npgrad.float16)"),
        (np.array([1, 255], np.uint8), "tensor([  1, 255], dtype=npgrad.uint8)"),
        (np.array([1, 2], np.int32), "tensor([1, 2], dtype=npgrad.int32)"),
        (f32(-1e10, 1), "tensor([-1.0000e+10,  1.0000e+00])"),
        (f32(123.456, 0.001), "tensor([1.2346e+02, 1.0000e-03])"),
    ],
)
def test_repr_text(data: np.ndarray, expected: str) -> None:
    assert repr(npgrad.tensor(data)) == expected
    assert str(npgrad.tensor(data)) == expected


def test_two_and_three_dimensions() -> None:
    assert repr(npgrad.tensor([[1, -2], [30, 4]])) == "tensor([[ 1, -2],\n        [30,  4]])"
    x = npgrad.tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 2) / 4)
    assert repr(x) == (
        "tensor([[[0.0000, 0.2500],\n"
        "         [0.5000, 0.7500]],\n"
        "\n"
        "        [[1.0000, 1.2500],\n"
        "         [1.5000, 1.7500]]])"
    )


def test_long_rows_wrap_at_80_columns_by_whole_elements() -> None:
    text = repr(npgrad.tensor(np.linspace(-1, 1, 12).astype(np.float32)))
    lines = text.split("\n")
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    # (80 - len("tensor(")) // len("-1.0000, ") = 8 elements on the first line
    assert lines[0].count(",") == 8 and lines[1].startswith("        ")


def test_more_than_1000_elements_are_summarised() -> None:
    assert repr(npgrad.arange(1500)) == "tensor([   0,    1,    2,  ..., 1497, 1498, 1499])"
    assert repr(npgrad.zeros(1200, dtype=npgrad.bool)) == (
        "tensor([False, False, False,  ..., False, False, False])"
    )
    # the format is chosen from the shown edge items only: they span > 1e3 -> scientific
    text = repr(npgrad.tensor(np.arange(1200, dtype=np.float32).reshape(2, 600)))
    assert text == (
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 5.9700e+02, 5.9800e+02,\n"
        "         5.9900e+02],\n"
        "        [6.0000e+02, 6.0100e+02, 6.0200e+02,  ..., 1.1970e+03, 1.1980e+03,\n"
        "         1.1990e+03]])"
    )
    rows = repr(npgrad.zeros(50, 60)).split("\n")
    assert rows[3].strip() == "...," and len(rows) == 7


def test_exactly_1000_elements_are_printed_in_full() -> None:
    assert "..." not in repr(npgrad.zeros(1000))
    assert "..." in repr(npgrad.zeros(1001))


def test_autograd_suffixes() -> None:
    x = npgrad.tensor([1.5, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1.5000, 2.0000], requires_grad=True)"
    assert repr(x * 2) == "tensor([3., 4.], grad_fn=<MulBackward>)"
    y = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    assert repr(y * 2) == "tensor([2., 4.], dtype=npgrad.float64, grad_fn=<MulBackward>)"
    with npgrad.no_grad():
        assert repr(x * 2) == "tensor([3., 4.])"
    assert repr(x.detach()) == "tensor([1.5000, 2.0000])"


def test_suffixes_wrap_onto_a_new_line_when_the_line_is_full() -> None:
    x = npgrad.tensor(np.full(9, 0.5), requires_grad=True)  # float64: two suffixes
    assert repr(x) == (
        "tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000],\n"
        "       dtype=npgrad.float64, requires_grad=True)"
    )


def test_default_dtype_is_not_shown_and_float32_then_is(default_float64: None) -> None:
    assert repr(npgrad.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    assert repr(npgrad.tensor(f32(1.5))) == "tensor([1.5000], dtype=npgrad.float32)"
    assert repr(npgrad.tensor(np.zeros(0))) == "tensor([])"


def test_repr_does_not_change_the_tensor() -> None:
    a = np.arange(2000, dtype=np.float32)
    t = npgrad.from_numpy(a)
    repr(t)
    assert np.array_equal(a, np.arange(2000, dtype=np.float32)) and t._version == 0


def test_repr_of_a_span_that_overflows_float64_does_not_warn() -> None:
    # 1e300 / 1e-300 overflows: NumPy warned "overflow encountered in scalar divide"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = repr(npgrad.tensor(np.array([1e300, 1e-300])))
    assert text == "tensor([1.0000e+300, 1.0000e-300], dtype=npgrad.float64)"


# ---- set_printoptions ------------------------------------------------------------------------
@pytest.fixture
def printoptions() -> Iterator[None]:
    yield
    set_printoptions(profile="default")


def test_set_printoptions_precision_and_sci_mode(printoptions: None) -> None:
    set_printoptions(precision=2)
    assert repr(npgrad.tensor([1.2345, 2.0])) == "tensor([1.23, 2.00])"
    set_printoptions(sci_mode=True)  # every call sets sci_mode; precision stays 2
    assert repr(npgrad.tensor([150.62, -1.5])) == "tensor([ 1.51e+02, -1.50e+00])"
    # widths are measured in the forced notation, so nan is padded to them
    assert repr(npgrad.tensor([np.nan, 1e-4])) == "tensor([     nan, 1.00e-04])"
    set_printoptions(sci_mode=False)
    assert repr(npgrad.tensor([1e-5, 1.0])) == "tensor([0.00, 1.00])"
    assert get_printoptions()["sci_mode"] is False
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_set_printoptions_threshold_edgeitems_linewidth(printoptions: None) -> None:
    set_printoptions(threshold=5, edgeitems=2)
    assert repr(npgrad.arange(10)) == "tensor([0, 1,  ..., 8, 9])"
    set_printoptions(edgeitems=0)  # nothing shown: PyTorch prints the size instead
    assert repr(npgrad.arange(10)) == "tensor([...], size=(10,))"
    set_printoptions(profile="default", linewidth=20)
    assert repr(npgrad.arange(6)) == "tensor([0, 1, 2, 3,\n        4, 5])"
    set_printoptions(profile="full")
    assert "..." not in repr(npgrad.zeros(2000))
    set_printoptions(profile="short")
    assert get_printoptions() == {
        "precision": 2,
        "threshold": 1000,
        "edgeitems": 2,
        "linewidth": 80,
        "sci_mode": None,
    }
    with pytest.raises(ValueError, match="Invalid profile: long"):
        set_printoptions(profile="long")


# ---- PyTorch parity --------------------------------------------------------------------------
def _normalise(text: str) -> str:
    # "npgrad." is one character longer than "torch.", which can move a suffix onto the next
    # line in one library and not the other; backward names drop torch's version number
    text = re.sub(r",\s*\n\s*(dtype=|requires_grad=|grad_fn=|size=)", r", \1", text)
    return re.sub(r"Backward\d+>", "Backward>", text)


def _torch_repr(torch: object, a: np.ndarray, requires_grad: bool = False) -> str:
    t = torch.from_numpy(a.copy()).requires_grad_(requires_grad)  # type: ignore[attr-defined]
    return _normalise(repr(t).replace("torch.", "npgrad."))


CASES = {
    "3d": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    "3d_int": np.arange(24).reshape(2, 3, 4) - 5,
    "big_1d": np.arange(2000, dtype=np.float32) / 3,
    "big_2d": np.arange(3000, dtype=np.float32).reshape(50, 60),
    "big_3d": np.arange(2 * 30 * 40).reshape(2, 30, 40) * 0.5,
    "wide": np.random.default_rng(0).standard_normal((4, 12)).astype(np.float32),
    "wide_ints": np.arange(40) * 1000,
    "tiny": f32(1e-10, 1e-12),
    "f64_precision": np.array([0.123456789]),
    "e8_edge": f32(99999999.0, 0.5),
    "float16_sci": np.array([1e-3, 60000], np.float16),
    "int8": np.array([-128, 127], np.int8),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", CASES)
def test_repr_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    a = CASES[name]
    assert _normalise(repr(npgrad.tensor(a))) == _torch_repr(torch, a)


@pytest.mark.torch
def test_repr_matches_torch_on_random_tensors() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    kinds = [np.float32, np.float64, np.float16, np.int64, np.int16, np.uint8, np.bool_]
    for _ in range(300):
        shape = tuple(int(s) for s in rng.integers(0, 9, rng.integers(0, 4)))
        d = np.dtype(kinds[rng.integers(len(kinds))])
        scale = 10.0 ** rng.integers(-9, 11)
        if d.kind == "b":
            a = np.asarray(rng.random(shape) < 0.5)
        elif d.kind in "iu":
            hi = min(np.iinfo(d).max, int(scale) + 2)
            a = rng.integers(max(np.iinfo(d).min, -hi), hi, shape).astype(d)
        else:
            a = np.asarray(rng.standard_normal(shape) * scale)
            mode = rng.integers(4)
            if mode == 1:
                a = np.round(a)
            elif mode == 2 and a.ndim:
                a[rng.random(shape) < 0.3] = np.nan
                a[rng.random(shape) < 0.2] = -np.inf
                a[rng.random(shape) < 0.2] = 0
            with np.errstate(over="ignore"):
                a = np.asarray(a.astype(d))
        grad = d.kind == "f" and bool(rng.random() < 0.3)
        ours = repr(npgrad.tensor(a, requires_grad=grad))
        assert _normalise(ours) == _torch_repr(torch, a, grad), (shape, d)


@pytest.mark.torch
def test_grad_fn_repr_matches_torch_up_to_the_version_suffix() -> None:
    torch = pytest.importorskip("torch")
    a = np.array([1.0, 2.0])
    t = torch.from_numpy(a.copy()).requires_grad_(True)
    n = npgrad.tensor(a, requires_grad=True)
    assert repr(n * 2) == _normalise(repr(t * 2).replace("torch.", "npgrad."))
    assert repr(n * 2).endswith("grad_fn=<MulBackward>)")


@pytest.mark.torch
def test_set_printoptions_matches_torch_on_random_tensors(printoptions: None) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    kinds = [np.float32, np.float64, np.float16, np.int64, np.uint8, np.bool_]
    try:
        for _ in range(300):
            opts: dict[str, object] = {}
            if rng.random() < 0.7:
                opts["precision"] = int(rng.integers(0, 9))
            if rng.random() < 0.5:
                opts["threshold"] = int(rng.integers(0, 200))
            if rng.random() < 0.5:
                opts["edgeitems"] = int(rng.integers(0, 5))
            if rng.random() < 0.5:
                opts["linewidth"] = int(rng.integers(10, 150))
            if rng.random() < 0.4:
                opts["sci_mode"] = bool(rng.random() < 0.5)
            if rng.random() < 0.3:
                opts["profile"] = ["default", "short", "full"][int(rng.integers(3))]
            torch.set_printoptions(**opts)
            set_printoptions(**opts)  # type: ignore[arg-type]
            shape = tuple(int(s) for s in rng.integers(0, 12, rng.integers(0, 4)))
            d = np.dtype(kinds[rng.integers(len(kinds))])
            if d.kind == "b":
                a = np.asarray(rng.random(shape) < 0.5)
            elif d.kind in "iu":
                a = rng.integers(0, 200, shape).astype(d)
            else:
                a = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-9, 11))
                if rng.random() < 0.3:
                    a = np.round(a)
                if a.ndim and rng.random() < 0.3:
                    a[rng.random(shape) < 0.3] = np.nan
                with np.errstate(over="ignore"):
                    a = np.asarray(a.astype(d))
            ours = repr(npgrad.tensor(a))
            assert _normalise(ours) == _torch_repr(torch, a), (opts, shape, d)
    finally:
        torch.set_printoptions(profile="default")
