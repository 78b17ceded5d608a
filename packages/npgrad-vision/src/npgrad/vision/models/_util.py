"""Helpers shared by the models."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def size_pair(model: str, input_size: Any) -> tuple[int, int]:
    """``input_size`` (an int or a ``(height, width)`` pair) as a pair of positive ints."""
    if isinstance(input_size, int) and not isinstance(input_size, bool):
        pair = (input_size, input_size)
    elif (
        isinstance(input_size, (tuple, list))
        and len(input_size) == 2
        and all(isinstance(s, int) and not isinstance(s, bool) for s in input_size)
    ):
        pair = (int(input_size[0]), int(input_size[1]))
    else:
        raise TypeError(
            f"{model}: input_size must be an int or (height, width), got {input_size!r}"
        )
    if min(pair) < 1:
        raise ValueError(f"{model}: input_size must be positive, got {input_size!r}")
    return pair


def check_input(model: Any, x: Any, channels: int, size: tuple[int, int] | None) -> None:
    """A clear error for an input the model was not built for."""
    shape = tuple(getattr(x, "shape", ()))
    if len(shape) != 4 or shape[1] != channels or (size is not None and shape[2:] != size):
        want = f"(N, {channels}, {size[0]}, {size[1]})" if size else f"(N, {channels}, H, W)"
        raise ValueError(
            f"{type(model).__name__}: expected input of shape {want}, got shape {shape}"
        )
