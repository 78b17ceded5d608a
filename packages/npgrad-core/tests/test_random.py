"""npgrad.random: generators, seeding, state, and every sampler's forms, dtypes, law and errors.

Statistical checks use fixed seeds and tolerances of many standard errors, so they are
deterministic and fail only when a sampler's law is wrong.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import npgrad
import npgrad.random as ntr
from npgrad.random import Generator


def gen(seed: int = 0) -> Generator:
    return Generator().manual_seed(seed)


def arr(t: npgrad.Tensor) -> np.ndarray:
    return t.numpy()


# every sampler called with an explicit generator, for the reproducibility tests
SAMPLERS = {
    "rand": lambda g: ntr.rand(4, 3, generator=g),
    "randn": lambda g: ntr.randn(5, generator=g),
    "randint": lambda g: ntr.randint(0, 100, (6,), generator=g),
    "randperm": lambda g: ntr.randperm(10, generator=g),
    "normal": lambda g: ntr.normal(1.0, 2.0, (4,), generator=g),
    "normal_tensor": lambda g: ntr.normal(npgrad.zeros(3), npgrad.ones(3), generator=g),
    "uniform": lambda g: ntr.uniform(-1.0, 1.0, (4,), generator=g),
    "bernoulli": lambda g: ntr.bernoulli(npgrad.full((20,), 0.5), generator=g),
    "multinomial": lambda g: ntr.multinomial(npgrad.ones(10), 5, generator=g),
    "rand_like": lambda g: ntr.rand_like(npgrad.zeros(3), generator=g),
    "randn_like": lambda g: ntr.randn_like(npgrad.zeros(3), generator=g),
    "randint_like": lambda g: ntr.randint_like(npgrad.zeros(3), 50, generator=g),
    "uniform_": lambda g: ntr.uniform_(npgrad.empty(4), -2.0, 2.0, generator=g),
    "normal_": lambda g: ntr.normal_(npgrad.empty(4), 0.0, 3.0, generator=g),
}


# ---- seeding and reproducibility -------------------------------------------------------------
@pytest.mark.parametrize("name", SAMPLERS)
def test_same_seed_same_numbers_other_seed_other_numbers(name: str) -> None:
    sample = SAMPLERS[name]
    a, b = arr(sample(gen(7))), arr(sample(gen(7)))
    assert a.dtype == b.dtype and np.array_equal(a, b)
    g = gen(7)
    first, second = arr(sample(g)), arr(sample(g))
    assert np.array_equal(first, a) and not np.array_equal(first, second)  # the stream advances
    assert not np.array_equal(arr(sample(gen(8))), a)


@pytest.mark.parametrize("name", SAMPLERS)
def test_module_seed_drives_the_default_generator(name: str) -> None:
    sample = SAMPLERS[name]
    assert ntr.manual_seed(3) is ntr.default_generator
    a = arr(sample(None))
    ntr.manual_seed(3)
    assert np.array_equal(arr(sample(None)), a)


def test_a_private_generator_leaves_the_default_stream_alone() -> None:
    ntr.manual_seed(11)
    expected = arr(ntr.rand(5))
    ntr.manual_seed(11)
    ntr.rand(100, generator=gen(1))
    assert np.array_equal(arr(ntr.rand(5)), expected)


def test_samples_are_drawn_directly_in_float32() -> None:
    # not float64 rounded down: the same stream NumPy gives for dtype=float32
    ref = np.random.Generator(np.random.PCG64(5))
    assert np.array_equal(arr(ntr.rand(6, generator=gen(5))), ref.random(6, dtype=np.float32))
    ref = np.random.Generator(np.random.PCG64(5))
    x = arr(ntr.randn(6, generator=gen(5)))
    assert np.array_equal(x, ref.standard_normal(6, dtype=np.float32))


def test_manual_seed_returns_the_generator_and_sets_initial_seed() -> None:
    g = Generator()
    assert g.manual_seed(123) is g
    assert g.initial_seed() == 123
    assert ntr.manual_seed(5).initial_seed() == 5 == ntr.initial_seed()


def test_fresh_generator_starts_from_pytorch_default_seed() -> None:
    assert Generator().initial_seed() == 67280421310721
    assert np.array_equal(
        arr(ntr.rand(3, generator=Generator())), arr(ntr.rand(3, generator=Generator()))
    )
    assert str(Generator().device) == "cpu" and str(Generator(device="cpu").device) == "cpu"


def test_negative_seeds_wrap_like_pytorch_and_out_of_range_is_an_error() -> None:
    assert gen(-1).initial_seed() == 2**64 - 1
    assert gen(-(2**63)).initial_seed() == 2**63
    assert np.array_equal(
        arr(ntr.rand(3, generator=gen(-1))), arr(ntr.rand(3, generator=gen(2**64 - 1)))
    )
    assert gen(np.int64(9)).initial_seed() == 9
    with pytest.raises(ValueError, match="seed"):
        gen(2**64)
    with pytest.raises(ValueError, match="seed"):
        gen(-(2**63) - 1)
    with pytest.raises(TypeError, match="integer"):
        gen(1.5)  # type: ignore[arg-type]


def test_seed_picks_a_fresh_64_bit_seed() -> None:
    g = Generator()
    seeds = {g.seed() for _ in range(5)}
    assert len(seeds) == 5 and all(0 <= s < 2**64 for s in seeds)
    s = ntr.seed()
    assert ntr.initial_seed() == s
    a = arr(ntr.rand(3))
    ntr.manual_seed(s)
    assert np.array_equal(arr(ntr.rand(3)), a)


# ---- state -----------------------------------------------------------------------------------
def test_state_is_a_uint8_tensor_that_round_trips() -> None:
    g = gen(42)
    ntr.rand(3, generator=g)
    state = g.get_state()
    assert isinstance(state, npgrad.Tensor) and state.dtype == npgrad.uint8 and state.ndim == 1
    expected = arr(ntr.randn(10, generator=g))
    other = Generator()
    assert other.set_state(state) is other
    assert np.array_equal(arr(ntr.randn(10, generator=other)), expected)
    assert other.initial_seed() == 42
    # the state is a snapshot, not a view of the live generator
    assert np.array_equal(arr(g.get_state()), arr(other.get_state()))
    assert not np.array_equal(arr(state), arr(g.get_state()))


def test_state_keeps_a_half_used_32_bit_buffer() -> None:
    # PCG64 serves 32-bit draws from half of a 64-bit output; the other half is state too
    g = gen(1)
    ntr.randint(0, 1000, (3,), dtype=npgrad.int32, generator=g)
    state = g.get_state()
    expected = arr(ntr.randint(0, 1000, (5,), dtype=npgrad.int32, generator=g))
    g2 = Generator().set_state(state)
    assert np.array_equal(
        arr(ntr.randint(0, 1000, (5,), dtype=npgrad.int32, generator=g2)), expected
    )


def test_module_rng_state_and_fork_rng() -> None:
    ntr.manual_seed(0)
    state = ntr.get_rng_state()
    a = arr(ntr.rand(4))
    ntr.set_rng_state(state)
    assert np.array_equal(arr(ntr.rand(4)), a)
    ntr.set_rng_state(state)
    with ntr.fork_rng():
        ntr.rand(100)
    assert np.array_equal(arr(ntr.rand(4)), a)
    ntr.set_rng_state(state)
    with ntr.fork_rng(enabled=False):
        ntr.rand(4)
    assert not np.array_equal(arr(ntr.rand(4)), a)


def test_state_survives_npz_style_round_trip_as_plain_array() -> None:
    g = gen(3)
    raw = arr(g.get_state()).copy()  # what a checkpoint stores
    expected = arr(ntr.rand(3, generator=g))
    g2 = Generator().set_state(npgrad.from_numpy(raw))
    assert np.array_equal(arr(ntr.rand(3, generator=g2)), expected)
    assert np.array_equal(arr(ntr.rand(3, generator=Generator().set_state(raw))), expected)


def test_bad_states_are_rejected() -> None:
    g = Generator()
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(npgrad.zeros(64))
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(b"\x00" * 64)
    with pytest.raises(ValueError, match="bytes"):
        g.set_state(npgrad.zeros(3, dtype=npgrad.uint8))
    with pytest.raises(ValueError, match="bytes"):
        g.set_state(npgrad.zeros(64, dtype=npgrad.uint8))  # right size, not a state
    with pytest.raises(ValueError, match="bytes"):
        g.set_state(gen(1).get_state().numpy().reshape(8, 8))


def test_pickle_deepcopy_and_clone_state_continue_the_stream() -> None:
    g = gen(9)
    ntr.rand(7, generator=g)
    copies = [pickle.loads(pickle.dumps(g)), copy.deepcopy(g), g.clone_state()]
    expected = arr(ntr.rand(5, generator=g))
    for c in copies:
        assert c is not g and c.initial_seed() == 9
        assert np.array_equal(arr(ntr.rand(5, generator=c)), expected)


def test_generator_argument_must_be_a_generator() -> None:
    with pytest.raises(TypeError, match="generator"):
        ntr.rand(2, generator=np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="generator"):
        ntr.randint(5, (2,), generator=0)  # type: ignore[arg-type]


# ---- rand / randn ----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [ntr.rand, ntr.randn])
def test_size_forms_and_dtypes(fn: object) -> None:
    for args, kwargs, shape in [
        ((2, 3), {}, (2, 3)),
        (((2, 3),), {}, (2, 3)),
        (([2, 3],), {}, (2, 3)),
        ((), {"size": (2, 3)}, (2, 3)),
        ((), {}, ()),
        (((),), {}, ()),
        ((0, 4), {}, (0, 4)),
    ]:
        t = fn(*args, **kwargs)  # type: ignore[operator]
        assert t.shape == shape and t.dtype == npgrad.float32
    for d in (npgrad.float16, npgrad.float64):
        assert fn(3, dtype=d).dtype == d  # type: ignore[operator]
    with pytest.raises(TypeError, match="floating"):
        fn(3, dtype=npgrad.int64)  # type: ignore[operator]
    with pytest.raises(TypeError, match="not both"):
        fn(2, size=(2,))  # type: ignore[operator]
    with pytest.raises(ValueError, match="negative"):
        fn(-1)  # type: ignore[operator]
    with pytest.raises(TypeError, match="size"):
        fn(2.5)  # type: ignore[operator]


def test_default_dtype_is_respected(default_float64: None) -> None:
    assert ntr.rand(2).dtype == npgrad.float64
    assert ntr.randn(2).dtype == npgrad.float64
    assert ntr.normal(0.0, 1.0, (2,)).dtype == npgrad.float64
    assert ntr.uniform(0.0, 1.0, (2,)).dtype == npgrad.float64


def test_requires_grad_makes_a_leaf() -> None:
    for t in (ntr.rand(2, requires_grad=True), ntr.randn(2, requires_grad=True)):
        assert t.requires_grad and t.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        ntr.randint(0, 5, (2,), requires_grad=True)


@pytest.mark.parametrize("dtype", [npgrad.float16, npgrad.float32, npgrad.float64])
def test_rand_law(dtype: np.dtype) -> None:
    x = arr(ntr.rand(200_000, generator=gen(0), dtype=dtype)).astype(np.float64)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.005 and abs(x.var() - 1 / 12) < 0.002
    if dtype == npgrad.float16:  # an exact 2**-11 grid: rounding can never produce 1.0
        assert np.array_equal(x * 2048, np.round(x * 2048))


@pytest.mark.parametrize("dtype", [npgrad.float16, npgrad.float32, npgrad.float64])
def test_randn_law(dtype: np.dtype) -> None:
    x = arr(ntr.randn(200_000, generator=gen(1), dtype=dtype)).astype(np.float64)
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1.0) < 0.01
    assert abs((x < -1.0).mean() - 0.158655) < 0.005  # Phi(-1)


@settings(max_examples=20, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
def test_shapes(shape: tuple[int, ...]) -> None:
    for t in (ntr.rand(shape), ntr.randn(*shape), ntr.randint(3, shape), ntr.uniform(size=shape)):
        assert t.shape == shape
    assert ntr.normal(0.0, 1.0, shape).shape == shape
    assert ntr.bernoulli(npgrad.full(shape, 0.5)).shape == shape


# ---- randint / randperm ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "low", "high"),
    [
        ((10, (50,)), {}, 0, 10),
        ((3, 10, (50,)), {}, 3, 10),
        ((3, 10), {"size": (50,)}, 3, 10),
        ((10,), {"size": (50,)}, 0, 10),
        ((), {"low": -5, "high": 5, "size": (50,)}, -5, 5),
        ((), {"high": 4, "size": (50,)}, 0, 4),
        ((-3, 0, [50]), {}, -3, 0),
    ],
)
def test_randint_forms(args: tuple, kwargs: dict, low: int, high: int) -> None:
    x = ntr.randint(*args, **kwargs, generator=gen(2))
    assert x.shape == (50,) and x.dtype == npgrad.int64
    assert set(arr(x).tolist()) == set(range(low, high))  # 50 draws hit every value


def test_randint_law() -> None:
    x = arr(ntr.randint(0, 5, (100_000,), generator=gen(3)))
    counts = np.bincount(x, minlength=5)
    assert counts.sum() == 100_000 and np.all(np.abs(counts - 20_000) < 600)


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [
        ("uint8", 0, 256),
        ("int8", -128, 128),
        ("int32", -(2**31), 2**31),
        ("bool", 0, 2),
        ("float32", -3, 3),
        ("float64", 0, 2**40),
    ],
)
def test_randint_dtypes(dtype: str, low: int, high: int) -> None:
    x = ntr.randint(low, high, (2000,), dtype=dtype, generator=gen(4))
    assert x.dtype == np.dtype(dtype)
    v = arr(x).astype(np.float64)
    assert v.min() >= low and v.max() <= high - 1 and np.all(v == np.round(v))


def test_randint_errors() -> None:
    with pytest.raises(ValueError, match="low < high"):
        ntr.randint(5, 5, (2,))
    with pytest.raises(ValueError, match="low < high"):
        ntr.randint(0, (2,))  # high 0 when only (high, size) is given
    with pytest.raises(TypeError, match="size"):
        ntr.randint(0, 5)
    with pytest.raises(TypeError, match="high"):
        ntr.randint(size=(2,))
    with pytest.raises(TypeError, match="integers"):
        ntr.randint(0.5, 3, (2,))
    with pytest.raises(ValueError, match="does not fit in uint8"):
        ntr.randint(0, 300, (2,), dtype=npgrad.uint8)
    with pytest.raises(ValueError, match="does not fit in uint8"):
        ntr.randint(-1, 3, (2,), dtype=npgrad.uint8)


def test_randperm() -> None:
    p = ntr.randperm(50, generator=gen(5))
    assert p.dtype == npgrad.int64 and sorted(arr(p).tolist()) == list(range(50))
    assert not np.array_equal(arr(p), np.arange(50))
    assert ntr.randperm(0).shape == (0,)
    q = ntr.randperm(6, dtype=npgrad.float32)
    assert q.dtype == npgrad.float32 and sorted(arr(q).tolist()) == [0.0, 1, 2, 3, 4, 5]
    assert ntr.randperm(256, dtype=npgrad.uint8).shape == (256,)
    with pytest.raises(ValueError, match="too large"):
        ntr.randperm(257, dtype=npgrad.uint8)
    with pytest.raises(ValueError, match="too large"):
        ntr.randperm(3000, dtype=npgrad.float16)  # float16 is exact only up to 2049
    with pytest.raises(ValueError, match="non-negative"):
        ntr.randperm(-1)
    with pytest.raises(TypeError, match="integer"):
        ntr.randperm(2.0)  # type: ignore[arg-type]


def test_randperm_is_uniform_over_permutations() -> None:
    g = gen(6)
    firsts = np.array([arr(ntr.randperm(4, generator=g))[0] for _ in range(4000)])
    assert np.all(np.abs(np.bincount(firsts, minlength=4) - 1000) < 150)


# ---- normal / uniform ------------------------------------------------------------------------
def test_normal_forms_shapes_and_dtypes() -> None:
    # the old README's form
    x = npgrad.random.normal(mean=0.0, std=1.0, size=(3, 4))
    assert x.shape == (3, 4) and x.dtype == npgrad.float32
    assert ntr.normal(2.0, 3.0, (2,), dtype=npgrad.float16).dtype == npgrad.float16
    assert ntr.normal(npgrad.zeros(2, 1), npgrad.ones(3)).shape == (2, 3)  # broadcast
    assert ntr.normal(npgrad.zeros(4), 2.0).shape == (4,)
    assert ntr.normal(0.0, npgrad.ones(2, 2)).shape == (2, 2)
    assert ntr.normal(npgrad.zeros(2, dtype=npgrad.float64), npgrad.ones(2)).dtype == npgrad.float64
    assert ntr.normal(npgrad.zeros(2, dtype=npgrad.float16), 1.0).dtype == npgrad.float16
    assert ntr.normal(np.zeros(3), 1.0).dtype == npgrad.float64  # arrays are tensors


def test_normal_law_per_element() -> None:
    mean = npgrad.tensor([[-100.0], [0.0], [5.0]]) * npgrad.ones(3, 20_000)
    std = npgrad.tensor([[0.01], [1.0], [3.0]])
    x = arr(ntr.normal(mean, std, generator=gen(7))).astype(np.float64)
    assert x.shape == (3, 20_000)
    assert np.allclose(x.mean(axis=1), [-100.0, 0.0, 5.0], atol=0.05)
    assert np.allclose(x.std(axis=1), [0.01, 1.0, 3.0], rtol=0.03)
    y = arr(ntr.normal(3.0, 2.0, (100_000,), generator=gen(8))).astype(np.float64)
    assert abs(y.mean() - 3.0) < 0.03 and abs(y.std() - 2.0) < 0.03
    assert np.array_equal(arr(ntr.normal(npgrad.tensor([1.5, -2.0]), 0.0)), [1.5, -2.0])


def test_normal_errors() -> None:
    with pytest.raises(TypeError, match="size is required"):
        ntr.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="only be given"):
        ntr.normal(npgrad.zeros(2), 1.0, (2,))
    with pytest.raises(TypeError, match="only be given"):
        ntr.normal(npgrad.zeros(2), 1.0, dtype=npgrad.float64)
    with pytest.raises(ValueError, match="std >= 0"):
        ntr.normal(0.0, -1.0, (2,))
    with pytest.raises(ValueError, match="std >= 0"):
        ntr.normal(npgrad.zeros(2), npgrad.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="floating point"):
        ntr.normal(npgrad.tensor([1, 2]), 1.0)
    with pytest.raises(ValueError, match="broadcast"):
        ntr.normal(npgrad.zeros(2), npgrad.ones(3))
    with pytest.raises(TypeError, match="number"):
        ntr.normal("0", 1.0, (2,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="floating"):
        ntr.normal(0.0, 1.0, (2,), dtype=npgrad.int64)


def test_normal_has_zero_gradient_like_pytorch() -> None:
    mean = npgrad.zeros(3, requires_grad=True)
    std = npgrad.ones(3, requires_grad=True)
    y = ntr.normal(mean, std)
    assert y.requires_grad and type(y.grad_fn).__name__ == "NormalBackward"
    y.backward(npgrad.ones(3))
    assert mean.grad is not None and std.grad is not None
    assert arr(mean.grad).tolist() == [0.0] * 3 and arr(std.grad).tolist() == [0.0] * 3
    m64 = npgrad.zeros(2, 1, dtype=npgrad.float64, requires_grad=True)
    z = ntr.normal(m64, 2.0)
    z.backward(npgrad.ones(2, 1, dtype=npgrad.float64))
    assert m64.grad is not None and m64.grad.shape == (2, 1) and m64.grad.dtype == npgrad.float64
    with npgrad.no_grad():
        assert not ntr.normal(mean, 1.0).requires_grad


def test_uniform() -> None:
    x = arr(ntr.uniform(-2.0, 5.0, (100_000,), generator=gen(9))).astype(np.float64)
    assert x.min() >= -2.0 and x.max() < 5.0
    assert abs(x.mean() - 1.5) < 0.03 and abs(x.var() - 49 / 12) < 0.05
    assert ntr.uniform().shape == () and ntr.uniform(size=3).shape == (3,)
    assert ntr.uniform(1, 2, (2,), dtype=npgrad.float16).dtype == npgrad.float16
    assert arr(ntr.uniform(3.0, 3.0, (4,))).tolist() == [3.0] * 4
    # one float32 step wide: every sample rounds to low, never up to high
    hi = float(np.nextafter(np.float32(1.0), np.float32(2.0)))
    assert np.all(arr(ntr.uniform(1.0, hi, (1000,))) == 1.0)
    with pytest.raises(ValueError, match="low <= high"):
        ntr.uniform(1.0, 0.0, (2,))
    with pytest.raises(TypeError, match="number"):
        ntr.uniform(npgrad.zeros(2), 1.0, (2,))


# ---- bernoulli / multinomial -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [npgrad.float16, npgrad.float32, npgrad.float64])
def test_bernoulli(dtype: np.dtype) -> None:
    p = npgrad.tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    y = ntr.bernoulli(p)
    assert y.dtype == dtype and arr(y).tolist() == [0.0, 1.0, 0.0, 1.0]  # p = 0 and 1 are exact
    probs = npgrad.tensor([0.1, 0.5, 0.9], dtype=dtype) * npgrad.ones(50_000, 3, dtype=dtype)
    freq = arr(ntr.bernoulli(probs, generator=gen(10))).astype(np.float64).mean(axis=0)
    assert np.allclose(freq, [0.1, 0.5, 0.9], atol=0.01)


def test_bernoulli_with_p() -> None:
    y = ntr.bernoulli(npgrad.zeros(40_000, dtype=npgrad.float64), 0.25, generator=gen(11))
    assert y.dtype == npgrad.float64 and set(arr(y).tolist()) == {0.0, 1.0}
    assert abs(arr(y).mean() - 0.25) < 0.01
    assert arr(ntr.bernoulli(npgrad.zeros(3), p=1.0)).tolist() == [1.0, 1.0, 1.0]


def test_bernoulli_errors_and_gradient() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ntr.bernoulli(npgrad.tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ntr.bernoulli(npgrad.tensor([float("nan")]))
    with pytest.raises(ValueError, match="p in"):
        ntr.bernoulli(npgrad.zeros(2), p=-0.1)
    with pytest.raises(TypeError, match="floating point"):
        ntr.bernoulli(npgrad.tensor([1, 0]))
    p = npgrad.full((3,), 0.5, requires_grad=True)
    y = ntr.bernoulli(p)
    assert y.requires_grad
    y.backward(npgrad.ones(3))
    assert p.grad is not None and arr(p.grad).tolist() == [0.0] * 3


def test_multinomial_with_replacement_law() -> None:
    w = npgrad.tensor([1.0, 0.0, 3.0, 6.0])  # unnormalised weights
    x = ntr.multinomial(w, 50_000, replacement=True, generator=gen(12))
    assert x.dtype == npgrad.int64 and x.shape == (50_000,)
    freq = np.bincount(arr(x), minlength=4) / 50_000
    assert freq[1] == 0.0 and np.allclose(freq, [0.1, 0.0, 0.3, 0.6], atol=0.01)


def test_multinomial_without_replacement_law() -> None:
    g = gen(13)
    w = npgrad.tensor([[0.5, 0.3, 0.2]]) * npgrad.ones(20_000, 1)
    x = arr(ntr.multinomial(w, 2, generator=g))
    assert x.shape == (20_000, 2) and np.all(x[:, 0] != x[:, 1])
    assert np.allclose(np.bincount(x[:, 0], minlength=3) / 20_000, [0.5, 0.3, 0.2], atol=0.015)
    # P(second = 2) = 0.5 * 0.2 / 0.5 + 0.3 * 0.2 / 0.7: drawn one at a time without replacement
    assert abs((x[:, 1] == 2).mean() - (0.2 + 0.06 / 0.7)) < 0.015


def test_multinomial_shapes_and_edges() -> None:
    rows = ntr.multinomial(npgrad.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]), 4, replacement=True)
    assert arr(rows).tolist() == [[0] * 4, [2] * 4]
    full = arr(ntr.multinomial(npgrad.ones(6), 6, generator=gen(14)))
    assert sorted(full.tolist()) == list(range(6))
    # as in PyTorch: once the positive weights are used up, zero-weight categories follow
    assert arr(ntr.multinomial(npgrad.tensor([0.0, 1.0, 0.0]), 3)).tolist() == [1, 0, 2]
    assert ntr.multinomial(npgrad.ones(3, dtype=npgrad.float16), 2).dtype == npgrad.int64


def test_multinomial_errors() -> None:
    with pytest.raises(TypeError, match="floating point"):
        ntr.multinomial(npgrad.tensor([1, 2]), 1)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        ntr.multinomial(npgrad.ones(2, 2, 2), 1)
    with pytest.raises(ValueError, match="positive"):
        ntr.multinomial(npgrad.ones(3), 0)
    with pytest.raises(ValueError, match="without replacement"):
        ntr.multinomial(npgrad.ones(3), 4)
    for bad in ([-1.0, 2.0], [1.0, float("inf")], [1.0, float("nan")]):
        with pytest.raises(ValueError, match="non-negative"):
            ntr.multinomial(npgrad.tensor(bad), 1)
    with pytest.raises(ValueError, match="positive sum"):
        ntr.multinomial(npgrad.tensor([[1.0, 1.0], [0.0, 0.0]]), 1, replacement=True)


# ---- *_like ----------------------------------------------------------------------------------
def test_like_functions() -> None:
    src = npgrad.zeros(2, 3, dtype=npgrad.float64)
    for fn in (ntr.rand_like, ntr.randn_like):
        t = fn(src)
        assert t.shape == (2, 3) and t.dtype == npgrad.float64
        assert fn(src, dtype=npgrad.float32).dtype == npgrad.float32
        assert fn(src, requires_grad=True).requires_grad
        with pytest.raises(TypeError, match="floating"):
            fn(npgrad.zeros(2, dtype=npgrad.int64))
        with pytest.raises(TypeError, match="Tensor"):
            fn(np.zeros(2))  # type: ignore[arg-type]
    a = ntr.randint_like(npgrad.zeros(500, dtype=npgrad.int32), 10)
    assert a.dtype == npgrad.int32 and set(arr(a).tolist()) == set(range(10))
    b = ntr.randint_like(src, 5, 9)
    assert b.dtype == npgrad.float64 and set(arr(b).ravel().tolist()) <= {5.0, 6.0, 7.0, 8.0}
    with pytest.raises(ValueError, match="low < high"):
        ntr.randint_like(src, 3, 3)


# ---- in place, for nn.init -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [npgrad.float16, npgrad.float32, npgrad.float64])
def test_in_place_fills_write_the_same_array(dtype: np.dtype) -> None:
    w = npgrad.zeros(10_000, dtype=dtype)
    data = w.numpy()
    alias = w.detach()
    out = ntr.uniform_(w, -0.5, 0.5, generator=gen(15))
    assert out is w and w.numpy() is data and w.dtype == dtype and w._version == 1
    assert np.array_equal(alias.numpy(), data)  # a view sees the new values
    v = data.astype(np.float64)
    assert v.min() >= -0.5 and v.max() < 0.5 and abs(v.mean()) < 0.02
    ntr.normal_(w, 1.0, 0.5, generator=gen(16))
    assert w._version == 2
    v = w.numpy().astype(np.float64)
    assert abs(v.mean() - 1.0) < 0.03 and abs(v.std() - 0.5) < 0.03


def test_in_place_fills_on_a_parameter_like_leaf() -> None:
    w = npgrad.zeros(3, requires_grad=True)
    ntr.uniform_(w)
    ntr.normal_(w, std=0.02)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None and w._version == 2
    assert np.all(w.numpy() != 0)


def test_in_place_fill_invalidates_a_saved_tensor() -> None:
    w = npgrad.ones(3, requires_grad=True)
    x = npgrad.ones(3, requires_grad=True)
    y = x * w  # saves w for x's gradient
    ntr.normal_(w)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(npgrad.ones(3))


def test_in_place_errors() -> None:
    with pytest.raises(TypeError, match="floating point"):
        ntr.uniform_(npgrad.zeros(2, dtype=npgrad.int64))
    with pytest.raises(TypeError, match="floating point"):
        ntr.normal_(npgrad.zeros(2, dtype=npgrad.int64))
    with pytest.raises(TypeError, match="Tensor"):
        ntr.uniform_(np.zeros(2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="low <= high"):
        ntr.uniform_(npgrad.zeros(2), 1.0, 0.0)
    with pytest.raises(ValueError, match="std >= 0"):
        ntr.normal_(npgrad.zeros(2), 0.0, -1.0)


# ---- PyTorch parity --------------------------------------------------------------------------
@pytest.mark.torch
def test_generator_seed_conventions_match_torch() -> None:
    torch = pytest.importorskip("torch")
    assert Generator().initial_seed() == torch.Generator().initial_seed()
    for s in (0, 5, -1, -(2**63), 2**64 - 1):
        assert gen(s).initial_seed() == torch.Generator().manual_seed(s).initial_seed()
    assert torch.get_rng_state().dtype == torch.uint8 and ntr.get_rng_state().dtype == npgrad.uint8


@pytest.mark.torch
def test_output_shapes_and_dtypes_match_torch() -> None:
    torch = pytest.importorskip("torch")
    calls = [
        ("rand", (2, 3), {}),
        ("rand", ((4,),), {"dtype": "float64"}),
        ("randn", (3,), {"dtype": "float16"}),
        ("randint", (10, (3,)), {}),
        ("randint", (2, 10, (2, 2)), {}),
        ("randint", (0, 10, (3,)), {"dtype": "float32"}),
        ("randint", (0, 2, (3,)), {"dtype": "bool"}),
        ("randint", (0, 100, (3,)), {"dtype": "uint8"}),
        ("randperm", (5,), {}),
        ("randperm", (5,), {"dtype": "float64"}),
        ("normal", (2.0, 3.0, (1, 4)), {}),
        ("normal", (0.0, 1.0, (2,)), {"dtype": "float64"}),
    ]
    for name, args, kwargs in calls:
        t = getattr(torch, name)(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
        n = getattr(ntr, name)(*args, **{k: np.dtype(v) for k, v in kwargs.items()})
        assert n.shape == tuple(t.shape) and str(n.dtype) == str(t.dtype).split(".")[1], name


@pytest.mark.torch
def test_tensor_forms_match_torch_dtypes_and_zero_gradients() -> None:
    torch = pytest.importorskip("torch")
    pairs = [
        (lambda m: m.normal(m.zeros(2, 1, dtype=m.float64), m.ones(3)), "normal broadcast"),
        (lambda m: m.normal(m.zeros(2, dtype=m.float16), 1.0), "normal float16"),
        (lambda m: m.normal(0.5, m.ones(4)), "normal float mean"),
        (lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)), "bernoulli float64"),
        (lambda m: m.multinomial(m.ones(2, 5), 3), "multinomial 2-D"),
        (lambda m: m.rand_like(m.zeros(2, dtype=m.float64)), "rand_like"),
        (lambda m: m.randint_like(m.zeros(2), 3, 7), "randint_like"),
    ]
    for make, what in pairs:
        t, n = make(torch), make(_NpgradAsTorch)
        assert n.shape == tuple(t.shape) and str(n.dtype) == str(t.dtype).split(".")[1], what
    for fn in ("normal", "bernoulli"):
        tp = torch.full((3,), 0.5, requires_grad=True)
        np_ = npgrad.full((3,), 0.5, requires_grad=True)
        ty = torch.normal(tp, 1.0) if fn == "normal" else torch.bernoulli(tp)
        ny = ntr.normal(np_, 1.0) if fn == "normal" else ntr.bernoulli(np_)
        ty.backward(torch.ones(3))
        ny.backward(npgrad.ones(3))
        assert np.array_equal(tp.grad.numpy(), arr(np_.grad)), fn  # type: ignore[arg-type]


class _NpgradAsTorch:
    """Just enough of a ``torch``-like namespace to run the same lambda on npgrad."""

    float16, float64 = npgrad.float16, npgrad.float64
    zeros, ones, full = (
        staticmethod(npgrad.zeros),
        staticmethod(npgrad.ones),
        staticmethod(npgrad.full),
    )
    normal, bernoulli, multinomial = (
        staticmethod(ntr.normal),
        staticmethod(ntr.bernoulli),
        staticmethod(ntr.multinomial),
    )
    rand_like, randint_like = staticmethod(ntr.rand_like), staticmethod(ntr.randint_like)


def test_random_fill_of_a_tensor_in_the_graph_keeps_it_there_like_fill():
    # PyTorch: uniform_/normal_ on a non-leaf keep it in the graph, with zero gradient for
    # the values it held before
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3.0
    y.uniform_(-1.0, 1.0)
    assert y.requires_grad and y._version == 1
    (y * w).sum().backward()
    assert w.grad.tolist() == y.tolist()
