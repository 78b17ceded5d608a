"""The random number generator: :class:`Generator` (PCG64 via NumPy, with PyTorch's API),
the module-level ``default_generator`` and the functions that seed it and save or restore its
state. Sampling is in :mod:`npgrad.random`, which re-exports everything here.
"""

from __future__ import annotations

import contextlib
import operator
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from npgrad.tensor import Tensor

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]

_DEFAULT_SEED = 67280421310721  # PyTorch's seed for a fresh torch.Generator()
_U64 = 1 << 64
# get_state() layout: magic, PCG64 state, increment, has_uint32, uinteger, initial seed
_MAGIC = b"npgPCG64"
_STATE_SIZE = 8 + 16 + 16 + 8 + 8 + 8


class Generator:
    """A source of random numbers: PCG64 via NumPy, with PyTorch's Generator API.

    Parameters
    ----------
    device : str, optional
        Accepted for compatibility; only ``"cpu"`` exists.

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> g = ntr.Generator().manual_seed(0)
    >>> a = ntr.rand(3, generator=g)
    >>> b = ntr.rand(3, generator=g.manual_seed(0))
    >>> a.tolist() == b.tolist()
    True
    """

    __slots__ = ("_rng", "_seed")

    def __init__(self, device: Any = "cpu") -> None:
        from npgrad._device import parse_device

        parse_device("Generator", device)
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self) -> Any:
        from npgrad._device import CPU

        return CPU

    def manual_seed(self, seed: Any) -> Generator:
        """Seed the generator (an int in ``[-2**63, 2**64)``; negatives wrap); returns it."""
        try:
            s = operator.index(seed)
        except TypeError:
            raise TypeError(
                f"manual_seed: the seed must be an integer, got {type(seed).__name__}"
            ) from None
        if not -(1 << 63) <= s < _U64:
            raise ValueError(f"manual_seed: seed {s} is outside [-2**63, 2**64)")
        s %= _U64  # PyTorch's remapping of negative seeds: -1 -> 2**64 - 1
        self._seed = s
        self._rng = np.random.Generator(np.random.PCG64(s))
        return self

    def seed(self) -> int:
        """Seed from OS entropy; returns the seed chosen."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last set with ``manual_seed`` or ``seed``."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a 1-D uint8 Tensor (save it with ``npgrad.save``)."""
        st = self._rng.bit_generator.state
        raw = (
            _MAGIC
            + st["state"]["state"].to_bytes(16, "little")
            + st["state"]["inc"].to_bytes(16, "little")
            + int(st["has_uint32"]).to_bytes(8, "little")
            + int(st["uinteger"]).to_bytes(8, "little")
            + self._seed.to_bytes(8, "little")
        )
        return Tensor._make(np.frombuffer(raw, np.uint8).copy(), False, None)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state returned by :meth:`get_state`; returns the generator."""
        arr = new_state._data if isinstance(new_state, Tensor) else new_state
        if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
            raise TypeError(
                "set_state: the RNG state must be a uint8 Tensor returned by get_state(), got "
                + (f"dtype {arr.dtype}" if isinstance(arr, np.ndarray) else type(arr).__name__)
            )
        raw = arr.tobytes()
        if arr.ndim != 1 or len(raw) != _STATE_SIZE or raw[:8] != _MAGIC:
            raise ValueError(
                f"set_state: expected a PCG64 state of {_STATE_SIZE} bytes from get_state(), "
                f"got shape {arr.shape}"
            )
        fields = [
            int.from_bytes(raw[a:b], "little")
            for a, b in ((8, 24), (24, 40), (40, 48), (48, 56), (56, 64))
        ]
        state, inc, has_uint32, uinteger, seed_ = fields
        bitgen = np.random.PCG64()
        bitgen.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": has_uint32,
            "uinteger": uinteger,
        }
        self._rng = np.random.Generator(bitgen)
        self._seed = seed_
        return self

    def clone_state(self) -> Generator:
        """A new generator in this one's state (the two then advance independently)."""
        return Generator().set_state(self.get_state())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickle/deepcopy (e.g. into DataLoader workers) carry the exact state
        return _generator_from_state, (self.get_state()._data,)


def _generator_from_state(state: np.ndarray) -> Generator:
    return Generator().set_state(state)


default_generator = Generator()
default_generator.seed()  # PyTorch seeds its default generator non-deterministically too


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator; returns it.

    Examples
    --------
    >>> import npgrad.random as ntr
    >>> _ = ntr.manual_seed(0)
    >>> a = ntr.randn(2)
    >>> _ = ntr.manual_seed(0)
    >>> a.tolist() == ntr.randn(2).tolist()
    True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from OS entropy; returns the seed.

    Examples
    --------
    >>> import npgrad
    >>> s = npgrad.seed()
    >>> s == npgrad.initial_seed()
    True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed.

    Examples
    --------
    >>> import npgrad
    >>> _ = npgrad.manual_seed(42)
    >>> npgrad.initial_seed()
    42
    """
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 Tensor.

    Examples
    --------
    >>> import npgrad
    >>> state = npgrad.get_rng_state()
    >>> a = npgrad.rand(2)
    >>> npgrad.set_rng_state(state)
    >>> npgrad.rand(2).tolist() == a.tolist()
    True
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from :func:`get_rng_state`.

    Examples
    --------
    >>> import npgrad
    >>> state = npgrad.get_rng_state()
    >>> first = npgrad.randn(3)
    >>> npgrad.set_rng_state(state)
    >>> npgrad.randn(3).tolist() == first.tolist()
    True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True) -> Iterator[None]:
    """Restore the default generator's state on leaving the ``with`` block.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.random as ntr
    >>> _ = npgrad.manual_seed(0)
    >>> with ntr.fork_rng():
    ...     _ = npgrad.rand(100)  # draws that leave no trace outside the block
    >>> a = npgrad.rand(1)
    >>> _ = npgrad.manual_seed(0)
    >>> npgrad.rand(1).tolist() == a.tolist()
    True
    """
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


def _rng(op: str, generator: Any) -> np.random.Generator:
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{op}: generator must be an npgrad.random.Generator, got {type(generator).__name__}"
        )
    return generator._rng
