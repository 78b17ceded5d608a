"""A simulated world for npgrad.distributed's single-process tests (no MPI needed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from npgrad.distributed import _group
from npgrad.distributed._fake import FakeBackend


@pytest.fixture
def world() -> Iterator[Callable[..., FakeBackend]]:
    """``world(rank=, size=, peer=, hang=, timeout=)`` makes a FakeBackend the default group;
    the group is always destroyed afterwards, so a failing test cannot leak it."""

    def make(timeout: float = 30.0, abort: bool = False, **kwargs: Any) -> FakeBackend:
        backend = FakeBackend(**kwargs)
        _group._init_backend(backend, timeout, abort)
        return backend

    yield make
    if _group._default is not None:
        _group.destroy_process_group()
