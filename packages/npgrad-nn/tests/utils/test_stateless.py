"""nn.utils.stateless.functional_call: replaced parameters and buffers are used and get the
gradient, the module is restored (also after an error), tied weights, strict, errors, and
PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils.stateless import functional_call
from npgrad.testing import assert_close

RNG = np.random.default_rng(4)


def _net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()


def test_given_tensors_are_used_and_get_gradients_and_module_is_restored():
    m = _net()
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    w = npgrad.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    x = npgrad.tensor(RNG.standard_normal((5, 3)))
    y = functional_call(m, {"2.weight": w}, (x,))
    h = m[1](m[0](x))
    assert_close(y, h.detach().numpy() @ w.detach().numpy().T + m[2].bias.detach().numpy())
    y.sum().backward()
    assert_close(w.grad, np.broadcast_to(h.detach().numpy().sum(0), (2, 4)))
    assert m[2].weight.grad is None and isinstance(m[2].weight, nn.Parameter)
    # the batch norm ran in training mode on the module's own buffers
    assert not np.array_equal(m[1].running_mean.numpy(), before["1.running_mean"])
    assert_close(m[2].weight, before["2.weight"])


def test_buffers_kwargs_and_a_single_argument():
    m = _net().eval()
    rm = npgrad.tensor(RNG.standard_normal(4))
    x = npgrad.tensor(RNG.standard_normal((2, 3)))
    y = functional_call(m, ({"1.running_mean": rm}, {}), x)
    z = functional_call(m, {"1.running_mean": rm}, kwargs={"input": x})
    ref = m[1].running_mean.numpy().copy()
    m[1].running_mean.numpy()[...] = rm.numpy()
    assert_close(y, m(x))
    assert_close(z, m(x))
    m[1].running_mean.numpy()[...] = ref


def test_restored_after_an_error():
    m = nn.Linear(2, 2)
    w = m.weight
    with pytest.raises(TypeError, match="dtype"):
        functional_call(m, {"weight": npgrad.zeros(2, 2, dtype=npgrad.float64)}, npgrad.ones(1, 2))
    assert m.weight is w


def test_tied_weights():
    m = nn.Sequential(nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False))
    m[1].weight = m[0].weight
    w = npgrad.tensor(RNG.standard_normal((2, 2)), dtype=npgrad.float32)
    x = npgrad.ones(1, 2)
    y = functional_call(m, {"0.weight": w}, x)
    assert_close(y, x.numpy() @ w.numpy().T @ w.numpy().T)
    y2 = functional_call(m, {"0.weight": w}, x, tie_weights=False)
    assert_close(y2, x.numpy() @ w.numpy().T @ m[0].weight.detach().numpy().T)
    with pytest.raises(ValueError, match="tied"):
        functional_call(m, {"0.weight": w, "1.weight": w.clone()}, x)


def test_strict_and_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="Missing key.*'bias'"):
        functional_call(m, {"weight": npgrad.zeros(2, 2)}, npgrad.ones(1, 2), strict=True)
    with pytest.raises(RuntimeError, match="Unexpected key.*'extra'"):
        functional_call(
            m,
            {"weight": npgrad.zeros(2, 2), "bias": npgrad.zeros(2), "extra": npgrad.zeros(1)},
            npgrad.ones(1, 2),
            strict=True,
        )
    with pytest.raises(ValueError, match="multiple dictionaries"):
        functional_call(m, ({"bias": npgrad.zeros(2)}, {"bias": npgrad.ones(2)}), npgrad.ones(1, 2))
    with pytest.raises(TypeError, match="Tensor"):
        functional_call(m, {"bias": [0.0, 0.0]}, npgrad.ones(1, 2))
    with pytest.raises(TypeError, match="Module"):
        functional_call(lambda x: x, {}, npgrad.ones(1))
    # not strict: an unknown name is a plain attribute for the call, then removed
    functional_call(m, {"extra": npgrad.zeros(1)}, npgrad.ones(1, 2))
    assert not hasattr(m, "extra")


@pytest.mark.torch
def test_functional_call_torch_parity():
    torch = pytest.importorskip("torch")
    from torch.func import functional_call as tcall

    m, tm = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    w = RNG.standard_normal((2, 3))
    x = RNG.standard_normal((4, 3))
    ours = npgrad.tensor(w, requires_grad=True)
    theirs = torch.tensor(w, requires_grad=True)
    y = functional_call(m, {"weight": ours}, (npgrad.tensor(x),))
    yt = tcall(tm, {"weight": theirs}, (torch.tensor(x),))
    assert_close(y, yt.detach().numpy())
    (y**2).sum().backward()
    (yt**2).sum().backward()
    assert_close(ours.grad, theirs.grad.numpy())


def test_parametrized_modules_take_the_original_or_the_parametrized_name():
    from npgrad.nn.utils import parametrize

    class Double(nn.Module):
        def forward(self, x):
            return 2 * x

    m = parametrize.register_parametrization(nn.Linear(2, 2, bias=False), "weight", Double())
    original = m.parametrizations.weight.original.detach().numpy().copy()
    w = npgrad.tensor(RNG.standard_normal((2, 2)), dtype=npgrad.float32)
    x = npgrad.ones(1, 2)
    y = functional_call(m, {"parametrizations.weight.original": w}, x)
    assert_close(y, x.numpy() @ (2 * w.numpy()).T)
    y = functional_call(m, {"weight": w}, x)  # used as it is, not through right_inverse
    assert_close(y, x.numpy() @ w.numpy().T)
    assert_close(m.parametrizations.weight.original, original)
    assert_close(m.weight, 2 * original)
