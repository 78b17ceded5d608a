"""nn.utils.prune: masks, reparametrization, iterative and global pruning, remove."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import prune
from npgrad.testing import assert_close

RNG = np.random.default_rng(0)
W = RNG.permutation(24).reshape(4, 6).astype(np.float32) - 11.5  # distinct |values|


def linear() -> nn.Linear:
    m = nn.Linear(6, 4)
    with npgrad.no_grad():
        m.weight.copy_(npgrad.tensor(W))
    return m


def test_l1_unstructured_reparametrizes_and_masks_the_gradient() -> None:
    m = prune.l1_unstructured(linear(), "weight", amount=0.25)
    assert sorted(m.state_dict()) == ["bias", "weight_mask", "weight_orig"]
    assert "weight" not in dict(m.named_parameters())
    mask = m.weight_mask.numpy()
    expected = np.ones_like(W)
    expected.reshape(-1)[np.argsort(np.abs(W).reshape(-1))[:6]] = 0
    np.testing.assert_array_equal(mask, expected)
    x = npgrad.randn(3, 6)
    m(x).sum().backward()
    assert_close(m.weight_orig.grad, x.sum(0).expand(4, 6) * npgrad.tensor(expected))
    assert prune.is_pruned(nn.Sequential(m))


def test_iterative_pruning_combines_masks_and_remove_is_permanent() -> None:
    m = prune.l1_unstructured(linear(), "weight", amount=4)
    prune.l1_unstructured(m, "weight", amount=4)  # 4 more, among the kept
    assert int((m.weight_mask == 0).sum()) == 8
    hooks = [h for h in m._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 2
    prune.ln_structured(m, "weight", amount=1, n=2, dim=0)  # one more row
    rows_pruned = (m.weight_mask.numpy() == 0).all(axis=1).sum()
    assert rows_pruned >= 1
    pruned = m.weight.detach().clone()
    prune.remove(m, "weight")
    assert sorted(m.state_dict()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter)
    assert_close(m.weight, pruned)
    assert not prune.is_pruned(m)
    with pytest.raises(ValueError, match="has to be pruned"):
        prune.remove(m, "weight")


def test_structured_random_custom_identity_and_buffers() -> None:
    m = prune.random_structured(linear(), "weight", amount=2, dim=1)
    cols = (m.weight_mask.numpy() == 0).all(axis=0)
    assert cols.sum() == 2
    m = prune.random_unstructured(linear(), "bias", amount=0.5)
    assert int((m.bias_mask == 0).sum()) == 2
    mask = npgrad.tensor(np.tril(np.ones((4, 6), np.float32)))
    m = prune.custom_from_mask(linear(), "weight", mask)
    assert_close(m.weight, npgrad.tensor(W) * mask)
    m = prune.identity(linear(), "weight")
    assert_close(m.weight, npgrad.tensor(W))
    bn = nn.BatchNorm1d(4)
    prune.l1_unstructured(bn, "running_var", amount=1)
    assert "running_var_orig" in dict(bn.named_buffers())


def test_global_unstructured_prunes_across_tensors() -> None:
    a, b = linear(), nn.Linear(4, 2)
    with npgrad.no_grad():
        b.weight.copy_(npgrad.tensor(W[:2, :4] * 0.01))  # all smaller than a's
    prune.global_unstructured([(a, "weight"), (b, "weight")], prune.L1Unstructured, amount=8)
    assert int((b.weight_mask == 0).sum()) == 8 and int((a.weight_mask == 0).sum()) == 0
    with pytest.raises(TypeError, match="unstructured"):
        prune.global_unstructured([(a, "weight")], prune.LnStructured, amount=1, n=2, dim=0)


def test_argument_errors() -> None:
    with pytest.raises(ValueError, match="float in the range"):
        prune.l1_unstructured(linear(), "weight", amount=1.5)
    with pytest.raises(TypeError, match="Invalid type"):
        prune.l1_unstructured(linear(), "weight", amount="half")
    with pytest.raises(ValueError, match="smaller than the number"):
        prune.l1_unstructured(linear(), "weight", amount=100)
    with pytest.raises(ValueError, match="multidimensional"):
        prune.ln_structured(linear(), "bias", amount=1, n=2, dim=0)
    with pytest.raises(AttributeError, match="no parameter or buffer"):
        prune.l1_unstructured(linear(), "kernel", amount=1)


@pytest.mark.torch
def test_masks_and_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.utils.prune as tprune

    ours, theirs = linear(), torch.nn.Linear(6, 4)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(W))
    for lib, module in ((prune, ours), (tprune, theirs)):
        lib.l1_unstructured(module, "weight", amount=0.3)
        lib.ln_structured(module, "weight", amount=1, n=1, dim=0)
        lib.l1_unstructured(module, "weight", amount=2)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    a2, b2 = linear(), nn.Linear(6, 4)
    ta, tb = torch.nn.Linear(6, 4), torch.nn.Linear(6, 4)
    with torch.no_grad(), npgrad.no_grad():
        ta.weight.copy_(torch.tensor(W))
        tb.weight.copy_(torch.tensor(W[::-1].copy() * 0.5 + 0.25))
        b2.weight.copy_(npgrad.tensor(W[::-1].copy() * 0.5 + 0.25))
    prune.global_unstructured([(a2, "weight"), (b2, "weight")], prune.L1Unstructured, amount=0.4)
    tprune.global_unstructured([(ta, "weight"), (tb, "weight")], tprune.L1Unstructured, amount=0.4)
    np.testing.assert_array_equal(a2.weight_mask.numpy(), ta.weight_mask.numpy())
    np.testing.assert_array_equal(b2.weight_mask.numpy(), tb.weight_mask.numpy())
