"""RandomSource: the one place npgrad.data draws random numbers from."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.data._random import RandomSource, check_generator


@pytest.mark.parametrize(
    "make", [lambda: npgrad.random.Generator().manual_seed(4), lambda: np.random.default_rng(4)]
)
def test_each_kind_of_generator_gives_reproducible_draws_in_range(make):
    def draws():
        src = RandomSource(make())
        return (
            src.random(),
            src.uniform(-2.0, 3.0),
            src.randint(5, 9),
            src.integers(4, 50).tolist(),
            src.randperm(6).tolist(),
            src.normal((2, 3)).tolist(),
            src.seed(),
            src.multinomial(np.array([0.0, 1.0, 3.0]), 20, True).tolist(),
        )

    a, b = draws(), draws()
    assert a == b
    rnd, uni, ri, ints, perm, normal, seed, multi = a
    assert 0.0 <= rnd < 1.0 and -2.0 <= uni < 3.0 and 5 <= ri < 9
    assert all(0 <= i < 4 for i in ints) and sorted(perm) == list(range(6))
    assert np.asarray(normal).shape == (2, 3) and 0 <= seed < 2**63
    assert set(multi) <= {1, 2}


def test_none_draws_from_npgrads_default_generator():
    npgrad.random.manual_seed(12)
    a = RandomSource().randperm(10).tolist()
    npgrad.random.manual_seed(12)
    assert RandomSource(None).randperm(10).tolist() == a


def test_multinomial_without_replacement_puts_zero_weights_last():
    for gen in (npgrad.random.Generator().manual_seed(0), np.random.default_rng(0)):
        out = RandomSource(gen).multinomial(np.array([0.0, 2.0, 0.0, 1.0]), 4, False).tolist()
        assert sorted(out) == [0, 1, 2, 3] and set(out[:2]) == {1, 3}


def test_normal_draws_are_float32():
    assert RandomSource(np.random.default_rng(0)).normal((2,)).dtype == np.float32
    assert RandomSource().normal((2,)).dtype == np.float32


def test_other_generators_are_rejected_with_a_clear_message():
    with pytest.raises(
        TypeError, match="where: generator must be an npgrad.random.Generator, a numpy"
    ):
        check_generator(np.random.RandomState(0), "where")
    with pytest.raises(TypeError, match="got int"):
        RandomSource(3)
