"""Each batch a DataLoader yields is a profiler event, as in PyTorch."""

from __future__ import annotations

import npgrad
from npgrad.data import DataLoader, TensorDataset
from npgrad.profiler import profile


def test_each_batch_is_an_event():
    data = TensorDataset(npgrad.arange(10.0))
    with profile() as prof:
        batches = list(DataLoader(data, batch_size=4))
    assert len(batches) == 3
    names = [e.name for e in prof.events() if e.name.startswith("enumerate(DataLoader)#")]
    # three batches, then the call that raises StopIteration
    assert names == ["enumerate(DataLoader)#_SingleProcessIter.__next__"] * 4
