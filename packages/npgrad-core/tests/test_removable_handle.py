"""npgrad.utils.hooks.RemovableHandle: one handle class for every register_*_hook."""

from __future__ import annotations

from collections import OrderedDict

import npgrad
from npgrad.utils.hooks import RemovableHandle


def test_remove_takes_the_entry_out_of_every_dict_once():
    hooks: OrderedDict[int, object] = OrderedDict()
    options: dict[int, object] = {}
    handle = RemovableHandle(hooks, extra_dict=options)
    other = RemovableHandle(hooks)
    assert handle.id != other.id
    hooks[handle.id], options[handle.id], hooks[other.id] = print, True, repr
    handle.remove()
    handle.remove()  # a second time does nothing
    assert list(hooks) == [other.id] and options == {}
    with other:
        pass
    assert not hooks


def test_extra_dicts_may_be_a_list():
    a: dict[int, int] = {}
    b: dict[int, int] = {}
    handle = RemovableHandle({}, extra_dict=[a, b])
    a[handle.id] = b[handle.id] = 1
    handle.remove()
    assert a == b == {}


def test_tensor_hooks_return_removable_handles():
    x = npgrad.ones(2, requires_grad=True)
    doubled = x.register_hook(lambda g: g * 2)
    assert isinstance(doubled, RemovableHandle)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    doubled.remove()
    x.grad = None
    y = x * 3
    with y.register_hook(lambda g: g * 10) as handle:  # a non-leaf's hook, on its grad_fn
        assert isinstance(handle, RemovableHandle)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]  # removed when the block ended
    assert isinstance(x.register_post_accumulate_grad_hook(lambda t: None), RemovableHandle)
