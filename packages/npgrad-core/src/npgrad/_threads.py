"""``get_num_threads`` / ``set_num_threads``: the threads of NumPy's BLAS.

npgrad's only parallel work is NumPy's matrix products, run by the BLAS library NumPy was built
with, so PyTorch's intra-op thread count maps onto that library's. The NumPy wheels on PyPI ship
OpenBLAS, whose thread count can be changed at run time through two C functions; they are found
in the library NumPy loaded (its symbols carry a prefix and a suffix that depend on the build:
``scipy_openblas_set_num_threads64_`` in NumPy 2's wheels, ``openblas_set_num_threads64_`` in
NumPy 1.26's). With another BLAS (Apple's Accelerate, MKL, a reference BLAS) the count can't be
changed from here: ``set_num_threads`` then warns, and ``get_num_threads`` reports the number
last asked for (the CPU count until then).
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import warnings
from typing import Any

import numpy as np

__all__ = ["get_num_threads", "set_num_threads"]

_NAMES = [
    (f"{prefix}get_num_threads{suffix}", f"{prefix}set_num_threads{suffix}")
    for prefix in ("scipy_openblas_", "openblas_")
    for suffix in ("64_", "")
]
_UNSET: Any = object()
_blas: Any = _UNSET  # (get, set) C functions once looked up; None when there are none
_requested: int | None = None


def _openblas_paths() -> list[str]:
    """The OpenBLAS files NumPy may have loaded: bundled with the wheel, or (Linux) any
    mapped into this process."""
    here = os.path.dirname(np.__file__)
    patterns = [
        os.path.join(here, os.pardir, "numpy.libs", "*openblas*"),  # Linux and Windows wheels
        os.path.join(here, ".dylibs", "*openblas*"),  # macOS wheels
    ]
    paths = [p for pattern in patterns for p in sorted(glob.glob(pattern))]
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8") as maps:
                for line in maps:
                    path = line.split()[-1]
                    if "openblas" in os.path.basename(path) and path not in paths:
                        paths.append(path)
        except OSError:
            pass
    return paths


def _functions() -> Any:
    global _blas
    if _blas is _UNSET:
        _blas = None
        for path in _openblas_paths():
            try:
                lib = ctypes.CDLL(path)  # the loaded library again, if NumPy loaded it
            except OSError:
                continue
            for get_name, set_name in _NAMES:
                getter, setter = getattr(lib, get_name, None), getattr(lib, set_name, None)
                if getter is not None and setter is not None:
                    getter.restype, getter.argtypes = ctypes.c_int, []
                    setter.restype, setter.argtypes = None, [ctypes.c_int]
                    _blas = (getter, setter)
                    return _blas
    return _blas


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses for matrix products.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_num_threads() >= 1
    True
    """
    blas = _functions()
    if blas is not None:
        return int(blas[0]())
    return _requested if _requested is not None else os.cpu_count() or 1


def set_num_threads(num_threads: int) -> None:
    """Make NumPy's BLAS use ``num_threads`` threads for matrix products (PyTorch's intra-op
    threads). Errors as PyTorch's: RuntimeError for a non-integer or a count below 1.

    Only OpenBLAS, which NumPy's wheels ship, can be changed at run time; with another BLAS
    this warns and changes nothing (set ``OMP_NUM_THREADS`` before NumPy is imported instead).

    Examples
    --------
    >>> import npgrad
    >>> n = npgrad.get_num_threads()
    >>> npgrad.set_num_threads(1)
    >>> npgrad.get_num_threads()
    1
    >>> npgrad.set_num_threads(n)
    """
    if isinstance(num_threads, bool) or not isinstance(num_threads, (int, np.integer)):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num_threads).__name__}")
    if num_threads <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num_threads}")
    global _requested
    _requested = int(num_threads)
    blas = _functions()
    if blas is None:
        warnings.warn(
            "set_num_threads: NumPy's BLAS is not OpenBLAS, whose thread count npgrad can "
            "change at run time; set OMP_NUM_THREADS before importing NumPy instead",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    blas[1](_requested)
