"""Grad modes: context managers, decorators, nesting, exceptions, threads, asyncio."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

import npgrad


def test_no_grad_stops_recording_and_restores():
    x = npgrad.tensor([1.0], requires_grad=True)
    with npgrad.no_grad():
        y = x * 2.0
        assert not npgrad.is_grad_enabled()
    assert npgrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2.0).requires_grad


def test_no_grad_as_decorator_and_nesting_with_enable_grad():
    x = npgrad.tensor([1.0], requires_grad=True)

    @npgrad.no_grad()
    def f():
        with npgrad.enable_grad():
            inner = x * 2.0
        return inner, x * 2.0

    inner, outer = f()
    assert inner.requires_grad and not outer.requires_grad
    assert npgrad.is_grad_enabled()


def test_mode_restored_when_the_block_raises():
    with pytest.raises(ValueError, match="boom"), npgrad.no_grad():
        raise ValueError("boom")
    assert npgrad.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context_manager():
    try:
        npgrad.set_grad_enabled(False)
        assert not npgrad.is_grad_enabled()
    finally:
        npgrad.set_grad_enabled(True)
    with npgrad.set_grad_enabled(False):
        assert not npgrad.is_grad_enabled()
    assert npgrad.is_grad_enabled()


def test_set_grad_enabled_as_decorator_does_not_switch_at_decoration_time():
    @npgrad.set_grad_enabled(False)
    def f():
        return npgrad.is_grad_enabled()

    assert npgrad.is_grad_enabled()
    assert f() is False
    assert npgrad.is_grad_enabled()


def test_inference_mode():
    x = npgrad.tensor([1.0], requires_grad=True)
    with npgrad.inference_mode():
        assert not (x * 2.0).requires_grad
    with npgrad.inference_mode(False):
        assert (x * 2.0).requires_grad


def test_grad_mode_is_per_thread():
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with npgrad.no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = npgrad.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    seen["main"] = npgrad.is_grad_enabled()  # the worker's no_grad must not leak here
    release.set()
    t.join(5)
    assert seen == {"main": True, "worker": False}


def test_grad_mode_is_per_asyncio_task():
    async def disabled(started, release):
        with npgrad.no_grad():
            started.set()
            await release.wait()
            return npgrad.is_grad_enabled()

    async def main():
        started, release = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(disabled(started, release))
        await started.wait()
        mine = npgrad.is_grad_enabled()
        release.set()
        return mine, await task

    assert asyncio.run(main()) == (True, False)


def test_generator_functions_are_decorated_step_by_step():
    # as in PyTorch: the mode holds while the generator runs, not between its yields
    @npgrad.no_grad()
    def gen():
        yield npgrad.is_grad_enabled()
        yield npgrad.is_grad_enabled()

    g = gen()
    assert next(g) is False
    assert npgrad.is_grad_enabled()
    assert next(g) is False


def test_variable_is_a_deprecated_alias_for_a_detached_leaf():
    from npgrad.autograd import Variable

    x = npgrad.ones(2, requires_grad=True)
    y = x * 2
    v = Variable(y, requires_grad=True)
    assert v.requires_grad and v.is_leaf and v.grad_fn is None
    assert np.shares_memory(v.numpy(), y.numpy())
    assert not Variable(y).requires_grad
    assert isinstance(y, Variable) and not isinstance(y.numpy(), Variable)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(x.detach(), volatile=True)


def test_set_multithreading_enabled_is_accepted_and_restored():
    is_enabled = npgrad.autograd.is_multithreading_enabled
    assert is_enabled()
    with npgrad.autograd.set_multithreading_enabled(False):
        assert not is_enabled()
        assert npgrad.is_grad_enabled()  # grad mode is left alone
    assert is_enabled()

    @npgrad.autograd.set_multithreading_enabled(False)
    def f():
        return is_enabled()

    assert is_enabled() and f() is False
    with pytest.raises(TypeError, match="mode must be a bool"):
        npgrad.autograd.set_multithreading_enabled(1)
