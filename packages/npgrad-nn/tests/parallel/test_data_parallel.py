"""nn.DataParallel (PyTorch's wrapper as it runs without GPUs) and nn.NLLLoss2d."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.testing import assert_close


def test_data_parallel_runs_the_module_and_prefixes_the_state_dict() -> None:
    inner = nn.Linear(3, 2)
    m = nn.DataParallel(inner, device_ids=[0, 1], dim=1)
    x = npgrad.randn(4, 3)
    assert_close(m(x), inner(x))
    assert m.device_ids == []
    assert list(m.state_dict()) == ["module.weight", "module.bias"]
    bare = nn.Linear(3, 2)
    bare.load_state_dict({k.removeprefix("module."): v for k, v in m.state_dict().items()})
    assert_close(bare(x), inner(x))
    m(x).sum().backward()
    assert inner.weight.grad is not None
    assert nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(TypeError, match="expected a Module"):
        nn.DataParallel(lambda x: x)


def test_nll_loss_2d_is_the_deprecated_nll_loss() -> None:
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        loss = nn.NLLLoss2d(ignore_index=1)
    logp = npgrad.randn(2, 3, 4, 4).log_softmax(1)
    target = npgrad.randint(0, 3, (2, 4, 4))
    assert_close(loss(logp, target), nn.NLLLoss(ignore_index=1)(logp, target))
    assert repr(loss) == "NLLLoss2d()"


@pytest.mark.torch
def test_repr_and_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    ours = nn.DataParallel(nn.Linear(3, 2))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: npgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(
        ours(npgrad.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
        atol=1e-6,  # float32 sums in another order: a near-zero output differs in its last bits
    )
