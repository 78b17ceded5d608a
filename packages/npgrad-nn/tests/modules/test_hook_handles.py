"""Module hooks return npgrad.utils.hooks.RemovableHandle, like tensor and optimizer hooks."""

from __future__ import annotations

import npgrad
from npgrad import nn
from npgrad.utils.hooks import RemovableHandle


def test_module_hook_handles_are_removable_handles():
    m = nn.Linear(2, 2)
    calls = []
    with m.register_forward_hook(lambda *a: calls.append(1)) as handle:
        assert isinstance(handle, RemovableHandle)
        m(npgrad.ones(1, 2))
    m(npgrad.ones(1, 2))  # removed when the block ended
    assert calls == [1]
    handles = [
        m.register_forward_pre_hook(lambda *a: None, with_kwargs=True),
        m.register_full_backward_hook(lambda *a: None),
        m.register_state_dict_pre_hook(lambda *a: None),
        nn.modules.module.register_module_forward_hook(lambda *a: None),
    ]
    assert all(isinstance(h, RemovableHandle) for h in handles)
    assert len({h.id for h in handles}) == len(handles)
    for h in handles:
        h.remove()
    assert not m._forward_pre_hooks and not m._backward_hooks
