"""The global module hooks of ``npgrad.nn.modules.module`` (``register_module_forward_hook``
...): called for every Module, before the module's own hooks, in PyTorch's order; each
returns a handle that removes it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.modules import _hooks
from npgrad.nn.modules import module as M

_GLOBAL_DICTS = [
    n for n, v in vars(_hooks).items() if n.startswith("_global_") and isinstance(v, dict)
]


@pytest.fixture(autouse=True)
def _no_leftover_global_hooks() -> Iterator[None]:
    # a global hook left behind by a failing test would run in every later test
    yield
    leftovers = {n: dict(getattr(_hooks, n)) for n in _GLOBAL_DICTS if getattr(_hooks, n)}
    for n in _GLOBAL_DICTS:
        getattr(_hooks, n).clear()
    _hooks._update_global_call_hooks()
    assert not leftovers, f"global hooks left registered: {leftovers}"


def test_the_global_stores_are_found() -> None:
    assert len(_GLOBAL_DICTS) == 9


def _tree(lib_nn: Any) -> Any:
    return lib_nn.Sequential(lib_nn.Linear(3, 4), lib_nn.Tanh(), lib_nn.Linear(4, 2))


def _record_order(lib: Any, reg: Any, lib_nn: Any) -> list[str]:
    """Global and per-module forward/backward hooks on a small tree; the calls in order."""
    lib.manual_seed(0)
    model = _tree(lib_nn)
    calls: list[str] = []

    def rec(tag: str) -> Callable[..., None]:
        return lambda m, *a, **k: calls.append(f"{tag}:{type(m).__name__}")

    handles = [
        reg.register_module_forward_pre_hook(rec("gpre")),
        reg.register_module_forward_hook(rec("gfwd")),
        reg.register_module_full_backward_pre_hook(rec("gbpre")),
        reg.register_module_full_backward_hook(rec("gbwd")),
    ]
    try:
        for sub in (model, model[0], model[2]):
            sub.register_forward_pre_hook(rec("pre"))
            sub.register_forward_hook(rec("fwd"))
            sub.register_full_backward_pre_hook(rec("bpre"))
            sub.register_full_backward_hook(rec("bwd"))
        x = lib.ones(2, 3, requires_grad=True)
        model(x).sum().backward()
    finally:
        for h in handles:
            h.remove()
    return calls


def test_global_hooks_run_before_the_module_hooks() -> None:
    calls = _record_order(npgrad, M, nn)
    assert calls[:4] == ["gpre:Sequential", "pre:Sequential", "gpre:Linear", "pre:Linear"]
    assert calls.index("gfwd:Sequential") + 1 == calls.index("fwd:Sequential")
    assert calls.index("gbwd:Linear") + 1 == calls.index("bwd:Linear")
    assert calls[-2:] == ["gbwd:Sequential", "bwd:Sequential"]
    assert "gfwd:Tanh" in calls and "fwd:Tanh" not in calls


@pytest.mark.torch
def test_global_and_module_hook_order_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.modules.module as torch_module

    ours = _record_order(npgrad, M, nn)
    assert ours == _record_order(torch, torch_module, torch.nn)


def test_handles_remove_the_hooks_and_the_call_fast_path_returns() -> None:
    m = nn.Linear(2, 2)
    seen: list[str] = []
    assert _hooks.has_global_call_hooks is False
    h1 = M.register_module_forward_pre_hook(lambda mod, args: seen.append("pre"))
    h2 = M.register_module_full_backward_hook(lambda mod, gi, go: seen.append("bwd"))
    assert _hooks.has_global_call_hooks is True
    m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == ["pre", "bwd"]
    h1.remove()
    assert _hooks.has_global_call_hooks is True  # the backward hook is still there
    h2.remove()
    h2.remove()  # removing twice is harmless, as in PyTorch
    assert _hooks.has_global_call_hooks is False
    m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == ["pre", "bwd"]


def test_handle_is_a_context_manager() -> None:
    seen: list[Any] = []
    with M.register_module_forward_hook(lambda mod, args, out: seen.append(out.shape)):
        nn.Linear(2, 3)(npgrad.ones(4, 2))
    nn.Linear(2, 3)(npgrad.ones(4, 2))
    assert seen == [(4, 3)]
    assert not _hooks._global_forward_hooks


def test_global_pre_hook_replaces_args_and_forward_hook_replaces_output() -> None:
    m = nn.Identity()
    with M.register_module_forward_pre_hook(lambda mod, args: args[0] * 2):  # non-tuple
        out = m(npgrad.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(out.numpy(), [2.0, 4.0])
    # the module's own pre-hook sees what the global one returned
    seen: list[Any] = []
    m.register_forward_pre_hook(lambda mod, args: seen.append(args[0].tolist()))
    with M.register_module_forward_pre_hook(lambda mod, args: (args[0] + 1,)):
        m(npgrad.tensor([1.0]))
    assert seen == [[2.0]]
    with M.register_module_forward_hook(lambda mod, args, out: out * 10):
        out = nn.Identity()(npgrad.tensor([1.0]))
    np.testing.assert_array_equal(out.numpy(), [10.0])


def test_global_forward_hook_with_kwargs() -> None:
    class Scale(nn.Module):
        def forward(self, x: Any, *, k: float = 1.0) -> Any:
            return x * k

    seen: list[Any] = []

    def hook(mod: Any, args: Any, kwargs: Any, out: Any) -> Any:
        seen.append(dict(kwargs))
        return out + 1

    with M.register_module_forward_hook(hook, with_kwargs=True):
        out = Scale()(npgrad.tensor([1.0]), k=3.0)
    assert seen == [{"k": 3.0}]
    np.testing.assert_array_equal(out.numpy(), [4.0])


class _Boom(nn.Module):
    def forward(self, x: Any) -> Any:
        raise ValueError("boom")


def test_global_always_call_hook_runs_when_forward_raises_before_the_modules_own() -> None:
    m = _Boom()
    calls: list[Any] = []
    m.register_forward_hook(lambda mod, args, out: calls.append(("own", out)), always_call=True)
    h_plain = M.register_module_forward_hook(lambda mod, args, out: calls.append("plain"))
    h_always = M.register_module_forward_hook(
        lambda mod, args, out: calls.append(("global", out)), always_call=True
    )
    try:
        with pytest.raises(ValueError, match="boom"):
            m(npgrad.ones(1))
    finally:
        h_plain.remove()
        h_always.remove()
    assert calls == [("global", None), ("own", None)]


def test_global_always_call_hook_error_only_warns() -> None:
    def bad(mod: Any, args: Any, out: Any) -> None:
        raise KeyError("hook failed")

    with (
        M.register_module_forward_hook(bad, always_call=True),
        warnings.catch_warnings(record=True) as w,
    ):
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="boom"):
            _Boom()(npgrad.ones(1))
    assert any("global module forward hook" in str(x.message) for x in w)


def test_always_call_hook_that_ran_is_not_run_again() -> None:
    calls: list[str] = []
    m = nn.Identity()
    m.register_forward_hook(lambda mod, args, out: (_ for _ in ()).throw(ValueError("late")))
    with (
        M.register_module_forward_hook(
            lambda mod, args, out: calls.append("global"), always_call=True
        ),
        pytest.raises(ValueError, match="late"),
    ):
        m(npgrad.ones(1))
    assert calls == ["global"]


def test_global_backward_pre_hook_replaces_grad_output() -> None:
    m = nn.Linear(2, 1)
    x = npgrad.ones(1, 2, requires_grad=True)
    expected = m.weight.detach().numpy() * 3
    with M.register_module_full_backward_pre_hook(lambda mod, go: (go[0] * 3,)):
        m(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_global_backward_hook_sees_grads_and_can_replace_grad_input() -> None:
    m = nn.Linear(2, 1)
    x = npgrad.ones(1, 2, requires_grad=True)
    seen: list[Any] = []

    def hook(mod: Any, gi: Any, go: Any) -> Any:
        seen.append((gi[0].numpy().copy(), go[0].numpy().copy()))
        return (gi[0] * 0,)

    with M.register_module_full_backward_hook(hook):
        m(x).sum().backward()
    np.testing.assert_allclose(seen[0][0], m.weight.detach().numpy())
    np.testing.assert_array_equal(seen[0][1], [[1.0]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0]])


def test_global_backward_hook_applies_to_calls_made_while_registered() -> None:
    m = nn.Linear(2, 1)
    seen: list[str] = []
    h = M.register_module_full_backward_hook(lambda mod, gi, go: seen.append("hook"))
    y = m(npgrad.ones(1, 2, requires_grad=True))
    h.remove()
    y.sum().backward()  # the call was made with the hook: it runs (PyTorch's rule)
    m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == ["hook"]


def test_non_callable_hook_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="callable"):
        M.register_module_forward_hook(3)  # type: ignore[arg-type]
    assert not _hooks._global_forward_hooks


# ---- registration hooks ----------------------------------------------------------------------
def _registrations(lib: Any, reg: Any, lib_nn: Any) -> list[tuple[str, str, str, str]]:
    calls: list[tuple[str, str, str, str]] = []

    def rec(kind: str) -> Callable[..., None]:
        def hook(mod: Any, name: str, value: Any) -> None:
            calls.append((kind, type(mod).__name__, name, type(value).__name__))

        return hook

    handles = [
        reg.register_module_parameter_registration_hook(rec("param")),
        reg.register_module_buffer_registration_hook(rec("buffer")),
        reg.register_module_module_registration_hook(rec("module")),
    ]
    try:
        model = lib_nn.Sequential(lib_nn.Linear(2, 3, bias=False), lib_nn.BatchNorm1d(3))
        model.add_module("act", lib_nn.ReLU())
        model.extra = lib_nn.Buffer(lib.zeros(1), persistent=False)
        model.extra = lib.ones(1)
        model.act = None
        model[0].register_buffer("scale", None)
        lazy = lib_nn.LazyLinear(2)
        lazy(lib.ones(1, 3))
    finally:
        for h in handles:
            h.remove()
    return calls


def test_registration_hooks_see_every_registration() -> None:
    calls = _registrations(npgrad, M, nn)
    assert ("param", "Linear", "weight", "Parameter") in calls
    assert ("param", "Linear", "bias", "NoneType") not in calls  # not called for None
    assert ("buffer", "BatchNorm1d", "num_batches_tracked", "Tensor") in calls
    assert ("buffer", "Linear", "scale", "NoneType") in calls
    assert ("buffer", "Sequential", "extra", "Buffer") in calls
    assert ("buffer", "Sequential", "extra", "Tensor") in calls
    assert ("module", "Sequential", "act", "ReLU") in calls
    assert ("module", "Sequential", "act", "NoneType") in calls
    assert ("param", "LazyLinear", "weight", "UninitializedParameter") in calls


@pytest.mark.torch
def test_registration_hooks_match_torch() -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.modules.module as torch_module

    def norm(calls: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
        # torch's nn.Buffer is a plain Tensor once created
        return [(k, m, n, "Tensor" if v == "Buffer" else v) for k, m, n, v in calls]

    ours = norm(_registrations(npgrad, M, nn))
    assert ours == norm(_registrations(torch, torch_module, torch.nn))


def test_registration_hooks_may_replace_the_value() -> None:
    replacement = nn.Parameter(npgrad.zeros(3, 2))
    with M.register_module_parameter_registration_hook(
        lambda mod, name, p: replacement if name == "weight" else None
    ):
        lin = nn.Linear(2, 3)
    assert lin.weight is replacement
    mean = npgrad.full((3,), 7.0)
    with M.register_module_buffer_registration_hook(
        lambda mod, name, b: mean if name == "running_mean" else None
    ):
        bn = nn.BatchNorm1d(3)
    assert bn.running_mean is mean and bn.running_var.tolist() == [1.0, 1.0, 1.0]
    tanh = nn.Tanh()
    with M.register_module_module_registration_hook(lambda mod, name, sub: tanh):
        seq = nn.Sequential(nn.ReLU())
        seq.add_module("x", nn.ReLU())
    assert seq[0] is tanh and seq.x is tanh


def test_registration_hooks_run_after_the_checks() -> None:
    seen: list[str] = []
    m = nn.Module()
    with M.register_module_parameter_registration_hook(lambda mod, n, p: seen.append(n)):
        with pytest.raises(TypeError):
            m.register_parameter("w", npgrad.ones(1))  # type: ignore[arg-type]
        with pytest.raises(KeyError):
            m.register_parameter("a.b", nn.Parameter(npgrad.ones(1)))
    assert seen == []
