"""PyTorch's remaining everyday constructors and samplers: window functions,
``scalar_tensor``, ``asarray``, ``empty_strided``, ``range``, ``poisson``, ``binomial``,
``Tensor.bernoulli``/``multinomial`` and the in-place random fills (``bernoulli_``,
``cauchy_``, ``exponential_``, ``geometric_``, ``log_normal_``, ``random_``): values against
the closed-form formulas, dtypes, errors, sample laws (loose statistical checks with a fixed
seed) and PyTorch parity.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import npgrad

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _formula(name, n, periodic):
    """The window from its textbook formula, one element at a time with ``math``."""
    if n == 0:
        return []
    if n == 1:
        return [1.0]
    m = n if periodic else n - 1  # the symmetric window of length n + 1, its last point cut

    def w(k):
        c = math.cos(2 * math.pi * k / m)
        if name == "hann_window":
            return 0.5 - 0.5 * c
        if name == "hamming_window":
            return 0.54 - 0.46 * c
        if name == "blackman_window":
            return 0.42 - 0.5 * c + 0.08 * math.cos(4 * math.pi * k / m)
        if name == "bartlett_window":
            return 1 - abs(2 * k / m - 1)
        r = 2 * k / m - 1
        return float(np.i0(12.0 * math.sqrt(max(0.0, 1 - r * r))) / np.i0(12.0))

    return [w(k) for k in range(n)]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_their_formulas(name, n, periodic):
    for dtype, tol in ((npgrad.float32, 1e-6), (npgrad.float64, 1e-13)):
        w = getattr(npgrad, name)(n, periodic, dtype=dtype)
        assert w.shape == (n,) and w.dtype == dtype and not w.requires_grad
        np.testing.assert_allclose(w.numpy(), _formula(name, n, periodic), rtol=tol, atol=tol)
    assert getattr(npgrad, name)(n).dtype == npgrad.get_default_dtype()


def test_window_arguments():
    np.testing.assert_allclose(
        npgrad.hamming_window(5, False, alpha=0.5, beta=0.5).numpy(),
        npgrad.hann_window(5, False).numpy(),
        atol=1e-7,
    )
    assert npgrad.kaiser_window(4, beta=0.0).tolist() == [1.0] * 4
    assert npgrad.hann_window(3, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.hann_window(-1)
    with pytest.raises(TypeError, match="floating"):
        npgrad.bartlett_window(4, dtype=npgrad.int64)
    with pytest.raises(TypeError, match="int"):
        npgrad.blackman_window(4.0)
    assert npgrad.hann_window(2, device="cpu").shape == (2,)
    with pytest.raises(RuntimeError, match="CPU only"):
        npgrad.kaiser_window(4, device="cuda")


# ---- constructors -------------------------------------------------------------------------------
def test_scalar_tensor():
    s = npgrad.scalar_tensor(3)
    assert s.shape == () and s.dtype == npgrad.float32 and s.item() == 3.0
    assert npgrad.scalar_tensor(True, dtype=npgrad.float64).dtype == npgrad.float64
    assert npgrad.scalar_tensor(2.5, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="number"):
        npgrad.scalar_tensor("1")


def test_asarray_shares_copies_and_casts():
    a = np.array([1.0, 2.0])
    t = npgrad.asarray(a)
    t[0] = 5.0
    assert a[0] == 5.0 and t.dtype == np.float64
    c = npgrad.asarray(a, copy=True)
    c[0] = 0.0
    assert a[0] == 5.0
    assert npgrad.asarray([1, 2]).dtype == np.int64
    assert npgrad.asarray([1.0, 2]).dtype == npgrad.float32
    assert npgrad.asarray(a, dtype=npgrad.float32).dtype == npgrad.float32
    with pytest.raises(ValueError, match="alias"):
        npgrad.asarray(a, dtype=npgrad.float32, copy=False)
    with pytest.raises(ValueError, match="alias"):
        npgrad.asarray([1.0], copy=False)
    x = npgrad.ones(2, requires_grad=True)
    assert npgrad.asarray(x) is x
    y = npgrad.asarray(x, dtype=npgrad.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    z = npgrad.ones(2)
    assert npgrad.asarray(z, requires_grad=True) is z and z.requires_grad


def test_empty_strided():
    e = npgrad.empty_strided((2, 3), (1, 2), dtype=npgrad.float64)
    assert e.shape == (2, 3) and e.stride() == (1, 2) and e.dtype == np.float64
    e.fill_(1.0)
    assert e.sum().item() == 6.0
    assert npgrad.empty_strided((0, 3), (3, 1)).shape == (0, 3)
    with pytest.raises(ValueError, match="mismatch"):
        npgrad.empty_strided((2, 3), (1,))
    with pytest.raises(ValueError, match="negative"):
        npgrad.empty_strided((2,), (-1,))


def test_constructors_refuse_other_devices():
    assert npgrad.scalar_tensor(1, device=npgrad.device("cpu")).item() == 1.0
    for make in (
        lambda d: npgrad.scalar_tensor(1, device=d),
        lambda d: npgrad.asarray([1.0], device=d),
        lambda d: npgrad.empty_strided((2,), (1,), device=d),
        lambda d: npgrad.range(0, 2, device=d),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert make("cpu").device == npgrad.device("cpu")
            with pytest.raises(RuntimeError, match="CPU only"):
                make("cuda:0")


def test_range_is_end_inclusive_and_deprecated():
    with pytest.warns(UserWarning, match="deprecated"):
        r = npgrad.range(1, 4)
    assert r.tolist() == [1.0, 2.0, 3.0, 4.0] and r.dtype == npgrad.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert npgrad.range(0, 1, 0.25, dtype=npgrad.float64).tolist() == [0, 0.25, 0.5, 0.75, 1]
        assert npgrad.range(0, -3, -1).tolist() == [0.0, -1.0, -2.0, -3.0]
        assert npgrad.range(0, 2.9).tolist() == [0.0, 1.0, 2.0]
        with pytest.raises(ValueError, match="nonzero"):
            npgrad.range(0, 3, 0)
        with pytest.raises(ValueError, match="inconsistent"):
            npgrad.range(0, 3, -1)


# ---- samplers -----------------------------------------------------------------------------------
N = 20000


def test_poisson_and_binomial():
    npgrad.manual_seed(0)
    rates = npgrad.full((N,), 3.0, dtype=npgrad.float64)
    p = npgrad.poisson(rates)
    assert p.dtype == np.float64 and not p.requires_grad
    assert abs(p.mean().item() - 3.0) < 0.1 and abs(p.var().item() - 3.0) < 0.2
    assert npgrad.poisson(npgrad.zeros(3)).tolist() == [0.0] * 3
    b = npgrad.binomial(npgrad.full((N,), 10.0), npgrad.full((N,), 0.3))
    assert b.dtype == npgrad.float32
    assert abs(b.mean().item() - 3.0) < 0.1 and abs(b.var().item() - 2.1) < 0.2
    assert (b == b.round()).all().item()
    with pytest.raises(ValueError, match="non-negative"):
        npgrad.poisson(npgrad.tensor([-1.0]))
    with pytest.raises(TypeError, match="floating"):
        npgrad.poisson(npgrad.tensor([1]))
    with pytest.raises(TypeError, match="floating"):
        npgrad.binomial(npgrad.tensor([3]), npgrad.tensor([0.5]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        npgrad.binomial(npgrad.tensor([3.0]), npgrad.tensor([1.5]))


def test_generator_makes_fills_reproducible():
    g1, g2 = npgrad.Generator().manual_seed(5), npgrad.Generator().manual_seed(5)
    a = npgrad.empty(4).exponential_(generator=g1)
    b = npgrad.empty(4).exponential_(generator=g2)
    assert a.tolist() == b.tolist()


def test_continuous_fills_follow_their_laws():
    npgrad.manual_seed(1)
    x = npgrad.empty(N, dtype=npgrad.float64)
    assert x.exponential_(2.0) is x and x.min().item() > 0
    assert abs(x.mean().item() - 0.5) < 0.02
    x.log_normal_(0.5, 0.25)
    assert abs(x.log().mean().item() - 0.5) < 0.01 and abs(x.log().std().item() - 0.25) < 0.01
    x.cauchy_(1.0, 2.0)
    assert abs(x.median().item() - 1.0) < 0.1  # a Cauchy law has a median, not a mean
    q = np.quantile(x.numpy(), 0.75)
    assert abs(q - 3.0) < 0.2  # median + sigma
    f = npgrad.empty(3).exponential_()
    assert f.dtype == npgrad.float32


def test_discrete_fills_follow_their_laws():
    npgrad.manual_seed(2)
    g = npgrad.empty(N, dtype=npgrad.int64).geometric_(0.25)
    assert g.dtype == np.int64 and g.min().item() >= 1
    assert abs(g.double().mean().item() - 4.0) < 0.15
    b = npgrad.zeros(N).bernoulli_(0.3)
    assert set(np.unique(b.numpy())) <= {0.0, 1.0} and abs(b.mean().item() - 0.3) < 0.02
    assert npgrad.zeros(3).bernoulli_(npgrad.tensor([0.0, 1.0, 0.0])).tolist() == [0, 1, 0]
    i = npgrad.zeros(N, dtype=npgrad.int64).bernoulli_(1.0)
    assert i.dtype == np.int64 and (i == 1).all().item()
    probs = npgrad.tensor([0.0, 1.0, 1.0])
    assert probs.bernoulli().tolist() == [0.0, 1.0, 1.0]
    assert probs.bernoulli(0.0).tolist() == [0.0, 0.0, 0.0]
    m = npgrad.tensor([0.0, 1.0, 0.0]).multinomial(4, replacement=True)
    assert m.tolist() == [1, 1, 1, 1]


def test_random_ranges_and_dtypes():
    npgrad.manual_seed(3)
    r = npgrad.empty(N, dtype=npgrad.int64).random_(-3, 4)
    assert r.min().item() == -3 and r.max().item() == 3
    r = npgrad.empty(N, dtype=npgrad.int64).random_(5)
    assert r.min().item() == 0 and r.max().item() == 4
    f = npgrad.empty(N).random_()
    assert f.dtype == npgrad.float32 and f.min().item() >= 0 and f.max().item() <= 2**24
    assert f.max().item() > 2**23  # the whole range is used
    assert (f == f.round()).all().item()
    u = npgrad.empty(N, dtype=npgrad.uint8).random_()
    assert u.max().item() == 255
    bl = npgrad.empty(N, dtype=npgrad.bool).random_()
    assert bl.any().item() and not bl.all().item()
    with pytest.raises(ValueError, match="less than"):
        npgrad.empty(2, dtype=npgrad.int64).random_(5, 3)
    with pytest.raises(ValueError, match="out of bounds"):
        npgrad.empty(2, dtype=npgrad.uint8).random_(300)
    with pytest.raises(ValueError, match="out of bounds"):
        npgrad.empty(2, dtype=npgrad.int8).random_(-200, 3)
    with pytest.warns(UserWarning, match="exactly"):
        assert npgrad.empty(2).random_(2**25).max().item() < 2**25
    with pytest.raises(ValueError, match="out of bounds"):
        npgrad.empty(2, dtype=npgrad.float16).random_(70000)


def test_fill_errors():
    x = npgrad.empty(3)
    with pytest.raises(ValueError, match="lambda"):
        x.exponential_(0.0)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        x.geometric_(1.0)
    with pytest.raises(ValueError, match="std"):
        x.log_normal_(1.0, 0.0)
    with pytest.raises(ValueError, match="sigma"):
        x.cauchy_(0.0, -1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        x.bernoulli_(1.5)
    with pytest.raises(ValueError, match="broadcast"):
        x.bernoulli_(npgrad.full((2,), 0.5))
    with pytest.raises(TypeError, match="floating"):
        npgrad.empty(3, dtype=npgrad.int64).exponential_()
    with pytest.raises(RuntimeError):
        npgrad.empty(3, requires_grad=True).random_()  # a leaf that requires grad


def test_fill_bumps_the_version_so_saved_values_fail_loudly():
    x = npgrad.ones(3, requires_grad=True)
    y = x * 1.0
    z = y * y
    y.exponential_()
    with pytest.raises(RuntimeError):
        z.sum().backward()


# ---- PyTorch parity -----------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("name", WINDOWS)
def test_torch_parity_windows(name):
    torch = pytest.importorskip("torch")
    for n in (0, 1, 2, 7, 16):
        for periodic in (True, False):
            for dt, tdt, tol in (
                (npgrad.float32, torch.float32, 1e-6),
                (npgrad.float64, torch.float64, 1e-14),
            ):
                got = getattr(npgrad, name)(n, periodic, dtype=dt)
                want = getattr(torch, name)(n, periodic, dtype=tdt)
                assert got.shape == tuple(want.shape)
                # torch computes in the target dtype; npgrad in float64, rounded once
                np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=0, atol=tol)


@pytest.mark.torch
def test_torch_parity_constructors():
    torch = pytest.importorskip("torch")
    assert npgrad.scalar_tensor(3).item() == torch.scalar_tensor(3).item()
    assert str(npgrad.scalar_tensor(3).dtype) == str(torch.scalar_tensor(3).dtype)[6:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in [(0, 3), (1, 2, 0.25), (0, -2, -0.5), (0, 2.9)]:
            assert npgrad.range(*args).tolist() == torch.range(*args).tolist()
    for data in ([1, 2], [1.0, 2.0], np.arange(3, dtype=np.int32)):
        assert str(npgrad.asarray(data).dtype) == str(torch.asarray(data).dtype)[6:]
    e, te = npgrad.empty_strided((2, 3), (1, 2)), torch.empty_strided((2, 3), (1, 2))
    assert e.stride() == te.stride()


@pytest.mark.torch
def test_torch_parity_random_dtypes():
    torch = pytest.importorskip("torch")
    for method, args in [
        ("geometric_", (0.5,)),
        ("bernoulli_", (0.5,)),
        ("random_", (0, 5)),
    ]:
        for nd, td in ((npgrad.int64, torch.int64), (npgrad.float64, torch.float64)):
            got = getattr(npgrad.zeros(4, dtype=nd), method)(*args)
            want = getattr(torch.zeros(4, dtype=td), method)(*args)
            assert str(got.dtype) == str(want.dtype)[6:]
    for method in ("exponential_", "cauchy_", "log_normal_"):
        with pytest.raises(RuntimeError):
            getattr(torch.zeros(2, dtype=torch.int64), method)()
        with pytest.raises(TypeError):
            getattr(npgrad.zeros(2, dtype=npgrad.int64), method)()
