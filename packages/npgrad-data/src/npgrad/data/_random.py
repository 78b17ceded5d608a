"""Where ``npgrad.data``'s randomness comes from.

Every random choice in this package (samplers, ``random_split``, random transforms, the base
seed of DataLoader workers) is drawn through :class:`RandomSource`, which accepts what a
user may pass as ``generator=``:

* ``None``: npgrad's default generator, so ``npgrad.manual_seed(s)`` makes a run reproducible
  (and DataLoader workers re-seed it per worker);
* an :class:`npgrad.random.Generator`;
* a NumPy :class:`numpy.random.Generator` (an npgrad extension: PyTorch takes only its own).

The numbers differ from PyTorch's for the same seed (different algorithms): a fixed seed gives
reproducible, not torch-identical, samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
import npgrad.random as _nrandom

__all__ = ["RandomSource", "check_generator"]

_SEED_HIGH = 1 << 63  # seeds are drawn from [0, 2**63), like torch's int64 random_()


def check_generator(generator: Any, where: str) -> Any:
    """Return ``generator`` after checking that it is one :class:`RandomSource` accepts."""
    if generator is None or isinstance(generator, (_nrandom.Generator, np.random.Generator)):
        return generator
    raise TypeError(
        f"{where}: generator must be an npgrad.random.Generator, a numpy.random.Generator or "
        f"None, got {type(generator).__name__}"
    )


class RandomSource:
    """Draws from an npgrad generator (or the default one) or from a NumPy generator.

    Parameters
    ----------
    generator : npgrad.random.Generator or numpy.random.Generator or None
        Where the numbers come from; ``None`` means npgrad's default generator.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data._random import RandomSource
    >>> g = npgrad.random.Generator().manual_seed(0)
    >>> a = RandomSource(g).randperm(4)
    >>> b = RandomSource(g.manual_seed(0)).randperm(4)
    >>> a.tolist() == b.tolist(), sorted(a.tolist())
    (True, [0, 1, 2, 3])
    """

    __slots__ = ("_generator", "_numpy")

    def __init__(self, generator: Any = None) -> None:
        check_generator(generator, "RandomSource")
        self._numpy: np.random.Generator | None = (
            generator if isinstance(generator, np.random.Generator) else None
        )
        self._generator = None if self._numpy is not None else generator

    def random(self) -> float:
        """One float from ``[0, 1)``."""
        if self._numpy is not None:
            return float(self._numpy.random())
        return float(_nrandom.rand(size=(), dtype=npgrad.float64, generator=self._generator))

    def uniform(self, low: float, high: float) -> float:
        """One float from ``[low, high)`` (``low + (high - low) * u`` like ``uniform_``)."""
        return float(low) + (float(high) - float(low)) * self.random()

    def randint(self, low: int, high: int) -> int:
        """One integer from ``[low, high)``."""
        if self._numpy is not None:
            return int(self._numpy.integers(low, high))
        return int(_nrandom.randint(low, high, (), generator=self._generator).item())

    def integers(self, high: int, size: int) -> np.ndarray:
        """``size`` int64 values from ``[0, high)``."""
        if self._numpy is not None:
            return self._numpy.integers(0, high, size, dtype=np.int64)
        return _nrandom.randint(0, high, (size,), generator=self._generator)._data

    def randperm(self, n: int) -> np.ndarray:
        """A random permutation of ``0 .. n-1`` (int64)."""
        if self._numpy is not None:
            return self._numpy.permutation(n).astype(np.int64, copy=False)
        return _nrandom.randperm(n, generator=self._generator)._data

    def normal(self, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal float32 samples of ``shape``."""
        if self._numpy is not None:
            return self._numpy.standard_normal(shape, dtype=np.float32)
        return _nrandom.randn(*shape, dtype=npgrad.float32, generator=self._generator)._data

    def multinomial(self, weights: np.ndarray, num_samples: int, replacement: bool) -> np.ndarray:
        """Indices drawn with probability proportional to the (valid, 1-D) ``weights``."""
        if self._numpy is not None:
            w = weights.astype(np.float64)
            if replacement:
                return self._numpy.choice(len(w), num_samples, p=w / w.sum()).astype(np.int64)
            # the exponential race: ordering E_i / w_i is drawing one at a time without
            # replacement; zero weights come last, as in torch.multinomial
            with np.errstate(divide="ignore"):
                keys = self._numpy.standard_exponential(len(w)) / w
            return np.argsort(keys, kind="stable")[:num_samples].astype(np.int64)
        t = npgrad.from_numpy(weights.astype(np.float64))
        return _nrandom.multinomial(t, num_samples, replacement, generator=self._generator)._data

    def seed(self) -> int:
        """A fresh seed from ``[0, 2**63)``."""
        return self.randint(0, _SEED_HIGH)
