"""An optimizer's ``step`` and ``zero_grad`` are labelled in a profile, as PyTorch's are."""

from __future__ import annotations

import pytest

import npgrad
from npgrad import optim
from npgrad.profiler import profile


def test_step_and_zero_grad_are_profiler_events():
    w = npgrad.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    with profile() as prof:
        opt.step()
        opt.zero_grad(set_to_none=False)
    names = [e.name for e in prof.events()]
    assert names[0] == "Optimizer.step#SGD.step"
    assert "Optimizer.zero_grad#SGD.zero_grad" in names
    zero = next(e for e in prof.events() if e.name.startswith("Optimizer.zero_grad"))
    assert all(c.cpu_parent is zero for c in zero.cpu_children)


def test_a_subclass_calling_super_step_is_one_event():
    class Logged(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    w = npgrad.ones(2, requires_grad=True)
    w.grad = npgrad.ones(2)
    opt = Logged([w], lr=0.1)
    with profile() as prof:
        opt.step()
    assert [e.name for e in prof.events()] == ["Optimizer.step#Logged.step"]


def test_a_failing_step_closes_its_event():
    w = npgrad.ones(2, requires_grad=True)
    w.grad = npgrad.ones(2)
    opt = optim.SGD([w], lr=0.1)
    opt.register_step_pre_hook(lambda *a: 1 / 0)
    with profile() as prof, pytest.raises(ZeroDivisionError):
        opt.step()
    (event,) = prof.events()
    assert event.name == "Optimizer.step#SGD.step" and event.cpu_time_total >= 0


@pytest.mark.torch
def test_labels_match_torch():
    torch = pytest.importorskip("torch")
    tw = torch.ones(3, requires_grad=True)
    topt = torch.optim.Adam([tw], lr=0.1)
    tw.grad = torch.ones(3)
    with torch.profiler.profile() as tprof:
        topt.step()
        topt.zero_grad()
    w = npgrad.ones(3, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = npgrad.ones(3)
    with profile() as prof:
        opt.step()
        opt.zero_grad()
    theirs = {e.name for e in tprof.events() if e.name.startswith("Optimizer.")}
    ours = {e.name for e in prof.events() if e.name.startswith("Optimizer.")}
    assert ours == theirs == {"Optimizer.step#Adam.step", "Optimizer.zero_grad#Adam.zero_grad"}
