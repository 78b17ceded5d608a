"""A MultiStepLR saved with npgrad.save (its Counter of milestones becomes a plain dict in the
file) keeps working after loading, also inside SequentialLR at the switch to it."""

from __future__ import annotations

from collections import Counter

import pytest

import npgrad
from npgrad.optim import SGD
from npgrad.optim.lr_scheduler import LinearLR, MultiStepLR, SequentialLR


def _make() -> SequentialLR:
    opt = SGD([npgrad.zeros(2, requires_grad=True)], lr=0.1)
    warmup = LinearLR(opt, 0.5, total_iters=3)
    return SequentialLR(opt, [warmup, MultiStepLR(opt, [2, 4, 4])], milestones=[3])


@pytest.mark.parametrize("suffix", ["safetensors", "npz"])
def test_a_saved_multisteplr_resumes_past_the_switch(suffix, tmp_path):
    reference, resumed = _make(), _make()
    reference.optimizer.step()
    reference.step()
    state = {"optimizer": reference.optimizer.state_dict(), "scheduler": reference.state_dict()}
    npgrad.save(state, tmp_path / f"s.{suffix}")
    loaded = npgrad.load(tmp_path / f"s.{suffix}")
    resumed.optimizer.load_state_dict(loaded["optimizer"])
    resumed.load_state_dict(loaded["scheduler"])
    for _ in range(6):
        for s in (reference, resumed):
            s.optimizer.step()
            s.step()
        assert resumed.get_last_lr() == pytest.approx(reference.get_last_lr())
    multistep = resumed._schedulers[1]
    assert isinstance(multistep.milestones, Counter) and multistep.milestones[4] == 2
