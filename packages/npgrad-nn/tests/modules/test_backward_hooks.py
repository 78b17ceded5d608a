"""Module full backward hooks (``register_full_backward_hook`` /
``register_full_backward_pre_hook``): what the hooks see and what their return values do,
compared with PyTorch."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn


def _arr(v: Any) -> Any:
    if v is None or isinstance(v, (int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return tuple(_arr(e) for e in v)
    return np.array(v.detach().numpy() if hasattr(v, "detach") else v.numpy())


def _same(a: Any, b: Any) -> None:
    """Nested tuples of arrays / None / strings are equal (arrays to float32 tolerance)."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape, (a, b)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    else:
        assert a == b, (a, b)


class _Libs:
    """The same scenario run with npgrad and with torch."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch

    def both(self, scenario: Callable[[Any, Any, Callable[..., Any]], Any]) -> list[str]:
        """Run ``scenario(lib, nn_module, record)`` with both; the hooks' calls (recorded
        with ``record(name, *grads)``) and the returned gradients must agree. Returns the
        names of the calls, in order."""
        results = []
        for lib, mod in ((npgrad, nn), (self.torch, self.torch.nn)):
            log: list[Any] = []

            def record(name: str, *grads: Any, log: list[Any] = log) -> None:
                log.append((name, *(_arr(g) for g in grads)))

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = scenario(lib, mod, record)
            results.append((tuple(log), _arr(out)))
        _same(results[0], results[1])
        return [entry[0] for entry in results[0][0]]


@pytest.fixture
def libs() -> _Libs:
    return _Libs(pytest.importorskip("torch"))


def _copy(src: Any, dst: nn.Module) -> None:
    """torch module ``src``'s weights into npgrad module ``dst`` (or the other way)."""
    dst.load_state_dict({k: v.detach().numpy() for k, v in src.state_dict().items()})


def _linear(lib: Any, mod: Any, n_in: int, n_out: int, seed: int = 0) -> Any:
    rng = np.random.default_rng(seed)
    m = mod.Linear(n_in, n_out)
    state = {
        "weight": rng.standard_normal((n_out, n_in)).astype(np.float32),
        "bias": rng.standard_normal(n_out).astype(np.float32),
    }
    with lib.no_grad():
        m.weight.copy_(lib.tensor(state["weight"]))
        m.bias.copy_(lib.tensor(state["bias"]))
    return m


def _input(lib: Any, shape: tuple[int, ...], seed: int = 1, requires_grad: bool = True) -> Any:
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return lib.tensor(data, requires_grad=requires_grad)


def _hooks(m: Any, name: str, record: Callable[..., Any]) -> None:
    m.register_full_backward_pre_hook(lambda mod, go: record("pre " + name, go))
    m.register_full_backward_hook(lambda mod, gi, go: record("full " + name, gi, go))


@pytest.mark.torch
def test_linear_hooks_see_torchs_gradients(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 3, 2)
        _hooks(m, "lin", record)
        x = _input(lib, (4, 3))
        (m(x) ** 2).sum().backward()
        return x.grad, m.weight.grad, m.bias.grad

    assert libs.both(scenario) == ["pre lin", "full lin"]


@pytest.mark.torch
def test_sequential_hooks_fire_in_torchs_order(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        seq = mod.Sequential(_linear(lib, mod, 3, 4, 0), mod.Tanh(), _linear(lib, mod, 4, 2, 2))
        _hooks(seq, "seq", record)
        for i, child in enumerate(seq):
            _hooks(child, str(i), record)
        x = _input(lib, (5, 3))
        seq(x).sum().backward()
        return x.grad, seq[0].weight.grad, seq[2].bias.grad

    assert libs.both(scenario) == [
        "pre seq",
        "pre 2",
        "full 2",
        "pre 1",
        "full 1",
        "pre 0",
        "full 0",
        "full seq",
    ]


@pytest.mark.torch
def test_first_layer_without_input_grad_calls_the_hook_with_none(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        seq = mod.Sequential(_linear(lib, mod, 3, 4, 0), mod.ReLU(), _linear(lib, mod, 4, 1, 2))
        _hooks(seq[0], "first", record)
        _hooks(seq, "seq", record)
        x = _input(lib, (2, 3), requires_grad=False)
        seq(x).sum().backward()
        return seq[0].weight.grad, x.grad

    assert libs.both(scenario) == ["pre seq", "full seq", "pre first", "full first"]


def test_no_input_grad_warns_as_torch() -> None:
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        m(npgrad.ones(1, 2)).sum().backward()


def test_no_input_grad_hook_must_not_return_gradients() -> None:
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (npgrad.ones(1, 2),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="Linear.*no input requires gradient"):
            m(npgrad.ones(1, 2)).sum().backward()


class _TwoIn:
    """forward(x, y, scale) with a non-Tensor argument."""

    @staticmethod
    def make(mod: Any) -> Any:
        class TwoIn(mod.Module):
            def forward(self, x: Any, y: Any, scale: float) -> Any:
                return (x * y).tanh() * scale + y

        return TwoIn()


@pytest.mark.torch
def test_two_inputs_one_not_requiring_grad(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _TwoIn.make(mod)
        _hooks(m, "two", record)
        x = _input(lib, (3, 2), 1)
        y = _input(lib, (3, 2), 2, requires_grad=False)
        m(x, y, 2.0).pow(2).sum().backward()
        w = _input(lib, (3, 2), 3)
        m(y, w, 0.5).sum().backward()  # now the second one requires grad
        return x.grad, w.grad

    assert libs.both(scenario) == ["pre two", "full two", "pre two", "full two"]


@pytest.mark.torch
def test_unused_input_and_input_used_twice(libs: _Libs) -> None:
    class Mix:
        @staticmethod
        def make(mod: Any) -> Any:
            class M(mod.Module):
                def forward(self, a: Any, b: Any, c: Any) -> Any:
                    return a * a + a.exp() * b

            return M()

    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = Mix.make(mod)
        _hooks(m, "mix", record)
        a, b, c = _input(lib, (2,), 1), _input(lib, (2,), 2), _input(lib, (2,), 3)
        m(a, b, c).sum().backward()
        return a.grad, b.grad, c.grad

    assert libs.both(scenario) == ["pre mix", "full mix"]


def _tuple_module(mod: Any) -> Any:
    class Split(mod.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = mod.Linear(3, 4)

        def forward(self, x: Any) -> Any:
            h = self.lin(x)
            return h[:, :2].sigmoid(), 7, h[:, 2:] * 3.0, h.detach()

    return Split()


@pytest.mark.torch
def test_module_returning_a_tuple(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _tuple_module(mod)
        with lib.no_grad():
            m.lin.weight.copy_(_input(lib, (4, 3), 5, False))
            m.lin.bias.copy_(_input(lib, (4,), 6, False))
        _hooks(m, "split", record)
        x = _input(lib, (2, 3))
        a, n, b, d = m(x)
        (a.sum() + (b * b).sum()).backward(retain_graph=True)
        a.sum().backward()  # the third output gets no gradient this time
        return x.grad, m.lin.weight.grad, n

    assert libs.both(scenario) == ["pre split", "full split", "pre split", "full split"]


@pytest.mark.torch
def test_hook_replacing_grad_input(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        seq = mod.Sequential(_linear(lib, mod, 3, 3, 0), mod.Sigmoid(), _linear(lib, mod, 3, 2, 2))
        _hooks(seq[0], "0", record)
        seq[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 10.0,))
        x = _input(lib, (4, 3))
        seq(x).sum().backward()
        return x.grad, seq[0].weight.grad, seq[2].weight.grad

    assert libs.both(scenario) == ["pre 0", "full 0"]


@pytest.mark.torch
def test_pre_hook_replacing_grad_output(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 3, 2)
        m.register_full_backward_pre_hook(lambda mod_, go: (go[0] * -2.0,))
        _hooks(m, "lin", record)  # sees the replaced grad_output
        x = _input(lib, (4, 3))
        m(x).sum().backward()
        return x.grad, m.weight.grad, m.bias.grad

    assert libs.both(scenario) == ["pre lin", "full lin"]


@pytest.mark.torch
def test_prepend_order(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 2, 2)
        m.register_full_backward_hook(lambda mod_, gi, go: record("a"))
        m.register_full_backward_hook(lambda mod_, gi, go: record("b"), prepend=True)
        m.register_full_backward_hook(lambda mod_, gi, go: record("c"))
        m.register_full_backward_pre_hook(lambda mod_, go: record("pre a"))
        m.register_full_backward_pre_hook(lambda mod_, go: record("pre b"), prepend=True)
        m(_input(lib, (1, 2))).sum().backward()
        return ()

    assert libs.both(scenario) == ["pre b", "pre a", "b", "a", "c"]


@pytest.mark.torch
def test_handle_remove(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 2, 2)
        h1 = m.register_full_backward_hook(lambda mod_, gi, go: record("a", gi))
        h2 = m.register_full_backward_pre_hook(lambda mod_, go: record("pre", go))
        x = _input(lib, (1, 2))
        m(x).sum().backward()
        h1.remove()
        m(x).sum().backward()
        h2.remove()
        y = m(x)
        assert y.grad_fn.name() != "BackwardHookFunctionBackward"
        y.sum().backward()
        return x.grad

    assert libs.both(scenario) == ["pre", "a", "pre"]


@pytest.mark.torch
def test_hooks_of_a_call_are_those_registered_at_forward(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 2, 2)
        h = m.register_full_backward_hook(lambda mod_, gi, go: record("a"))
        y = m(_input(lib, (1, 2)))
        h.remove()  # still runs for y's graph
        m.register_full_backward_hook(lambda mod_, gi, go: record("late"))  # does not
        y.sum().backward()
        return ()

    assert libs.both(scenario) == ["a"]


@pytest.mark.torch
def test_nested_modules_call_order(libs: _Libs) -> None:
    def make(mod: Any) -> Any:
        class Block(mod.Module):
            def __init__(self, seed: int) -> None:
                super().__init__()
                self.a = _linear(npgrad if mod is nn else libs.torch, mod, 3, 3, seed)
                self.b = _linear(npgrad if mod is nn else libs.torch, mod, 3, 3, seed + 1)

            def forward(self, x: Any) -> Any:
                return self.b(self.a(x).tanh()) + x

        class Net(mod.Module):
            def __init__(self) -> None:
                super().__init__()
                self.one = Block(0)
                self.two = Block(5)

            def forward(self, x: Any) -> Any:
                return self.two(self.one(x)) * 2.0

        return Net()

    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        net = make(mod)
        for name, sub in net.named_modules():
            _hooks(sub, name or "net", record)
        x = _input(lib, (2, 3))
        net(x).sum().backward()
        return x.grad, net.one.a.weight.grad

    assert libs.both(scenario) == [
        "pre net",
        "pre two",
        "pre two.b",
        "full two.b",
        "pre two.a",
        "full two.a",
        "full two",
        "pre one",
        "pre one.b",
        "full one.b",
        "pre one.a",
        "full one.a",
        "full one",
        "full net",
    ]


@pytest.mark.torch
def test_retain_graph_double_backward_calls_hooks_twice(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 3, 2)
        _hooks(m, "lin", record)
        x = _input(lib, (2, 3))
        loss = (m(x) ** 2).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return x.grad, m.weight.grad

    assert libs.both(scenario) == ["pre lin", "full lin", "pre lin", "full lin"]


@pytest.mark.torch
def test_create_graph_second_order(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = mod.Sequential(_linear(lib, mod, 3, 3, 0), mod.Tanh(), _linear(lib, mod, 3, 1, 2))
        _hooks(m[0], "0", record)
        x = _input(lib, (2, 3))
        (g,) = lib.autograd.grad(m(x).sum(), x, create_graph=True)
        (g**2).sum().backward()  # as in torch, the hooks run again: g's graph passes the output
        return g, x.grad, m[0].weight.grad

    assert libs.both(scenario) == ["pre 0", "full 0", "pre 0", "full 0"]


@pytest.mark.torch
def test_forward_hooks_and_backward_hooks_together(libs: _Libs) -> None:
    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = _linear(lib, mod, 2, 2)
        m.register_forward_pre_hook(lambda mod_, args: (args[0] * 2.0,))
        m.register_forward_hook(lambda mod_, args, out: out * 3.0)
        _hooks(m, "lin", record)
        x = _input(lib, (1, 2))
        m(x).sum().backward()
        return x.grad, m.weight.grad

    assert libs.both(scenario) == ["pre lin", "full lin"]


@pytest.mark.torch
def test_list_output_warns_and_skips_hooks(libs: _Libs) -> None:
    def make(mod: Any) -> Any:
        class Listy(mod.Module):
            def forward(self, x: Any) -> Any:
                return [x * 2.0, x * 3.0]

        return Listy()

    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = make(mod)
        _hooks(m, "list", record)
        x = _input(lib, (2,))
        a, b = m(x)
        (a + b).sum().backward()
        return x.grad

    assert libs.both(scenario) == []
    m = make(nn)
    m.register_full_backward_hook(lambda mod_, gi, go: None)
    with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple"):
        m(npgrad.ones(2, requires_grad=True))


def test_wrong_length_from_hook_raises_naming_the_module() -> None:
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(
        RuntimeError, match=r"Linear.*invalid number of grad_input, got 2, but expected 1"
    ):
        m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
    p = nn.Linear(2, 2)
    p.register_full_backward_pre_hook(lambda mod, go: ())
    with pytest.raises(
        RuntimeError, match=r"Linear.*invalid number of grad_output, got 0, but expected 1"
    ):
        p(npgrad.ones(1, 2, requires_grad=True)).sum().backward()


def test_wrong_shape_from_hook_raises() -> None:
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (npgrad.ones(3),))
    with pytest.raises(RuntimeError, match=r"Linear.*got shape \(3,\) but expected shape \(1, 2\)"):
        m(npgrad.ones(1, 2, requires_grad=True)).sum().backward()


def test_no_hooks_path_is_unchanged() -> None:
    m = nn.Linear(2, 2)
    x = npgrad.ones(1, 2, requires_grad=True)
    y = m(x)
    assert "BackwardHookFunction" not in y.grad_fn.name()
    assert m._backward_hooks == {} and m._backward_pre_hooks == {}
    h = m.register_full_backward_hook(lambda mod, gi, go: None)
    assert m(x).grad_fn.name() == "BackwardHookFunctionBackward"
    h.remove()
    assert "BackwardHookFunction" not in m(x).grad_fn.name()
    with npgrad.no_grad():  # nothing to hook: no identity node
        m.register_full_backward_hook(lambda mod, gi, go: None)
        assert m(x).grad_fn is None


def test_pickled_module_without_backward_hook_stores_still_works() -> None:
    import pickle

    m = nn.Linear(2, 2)
    state = dict(m.__dict__)
    del state["_backward_hooks"], state["_backward_pre_hooks"], state["_has_call_hooks"]
    restored = nn.Linear.__new__(nn.Linear)
    restored.__setstate__(state)
    assert restored(npgrad.ones(1, 2)).shape == (1, 2)
    assert restored._has_call_hooks is False
    assert pickle.loads(pickle.dumps(m))(npgrad.ones(1, 2)).shape == (1, 2)


def test_call_hooks_flag_follows_registration_and_removal() -> None:
    m = nn.Linear(2, 2)
    assert m._has_call_hooks is False
    handles = [
        m.register_forward_pre_hook(lambda mod, args: None),
        m.register_forward_hook(lambda mod, args, out: None),
        m.register_full_backward_pre_hook(lambda mod, go: None),
        m.register_full_backward_hook(lambda mod, gi, go: None),
    ]
    for h in handles:
        assert m._has_call_hooks is True
        h.remove()
    assert m._has_call_hooks is False
    h = m.register_full_backward_hook(lambda mod, gi, go: None)
    del m  # a handle does not keep its module alive
    h.remove()


def test_replacing_a_gradient_with_none_stops_it() -> None:
    # A deliberate difference, from npgrad's engine: a node that gets no gradient never
    # runs. PyTorch runs the nodes upstream with undefined gradients instead, so there the
    # first Linear's hooks are called (grad_output (None,), grad_input zeros) and x.grad
    # becomes zeros; the parameters' gradients are the same (None) in both.
    seq = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2))
    seq[1].register_full_backward_hook(lambda m, gi, go: (None,))
    called = []
    seq[0].register_full_backward_hook(lambda m, gi, go: called.append(gi))
    x = npgrad.ones(2, 3, requires_grad=True)
    seq(x).sum().backward()
    assert seq[2].weight.grad is not None
    assert seq[0].weight.grad is None and seq[0].bias.grad is None
    assert x.grad is None and called == []


@pytest.mark.torch
def test_module_called_twice_with_an_input_used_twice(libs: _Libs) -> None:
    def make(mod: Any) -> Any:
        class Prod(mod.Module):
            def forward(self, a: Any, b: Any, idx: Any) -> Any:
                return a * b * 2.0

        return Prod()

    def scenario(lib: Any, mod: Any, record: Callable[..., Any]) -> Any:
        m = make(mod)
        _hooks(m, "prod", record)
        x = _input(lib, (2, 3))
        idx = lib.arange(3)  # an integer Tensor input: zeros of its dtype in grad_input
        z = m(m(x, x, idx), x, idx)
        z.sum().backward()
        return x.grad

    assert libs.both(scenario) == ["pre prod", "full prod", "pre prod", "full prod"]


def test_in_place_change_of_a_hooked_output_keeps_gradients_right() -> None:
    # PyTorch raises here (the output of BackwardHookFunction is a view modified in
    # place); npgrad's hooked tensors are copies, so the gradient is simply right
    seen = []
    m = nn.Sigmoid()
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi[0]))
    x = npgrad.tensor([0.5, -1.0], requires_grad=True)
    h = x * 1.0
    y = m(h)
    y.mul_(2.0)
    h.mul_(3.0)  # the caller changes the module's input after the call
    y.sum().backward()
    s = 1 / (1 + np.exp(-np.array([0.5, -1.0], dtype=np.float32)))
    np.testing.assert_allclose(x.grad.numpy(), 2 * s * (1 - s), rtol=1e-6)
    np.testing.assert_allclose(seen[0].numpy(), 2 * s * (1 - s), rtol=1e-6)
