"""Helpers for the model tests: copying weights between torch and npgrad, comparing outputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import npgrad


@pytest.fixture
def load_torch_weights():
    """Copy a torch module's state dict into an npgrad module (same names, cast to ``dtype``)."""

    def load(ours: Any, theirs: Any, dtype: Any = np.float64) -> None:
        # load_state_dict copies into the existing parameters (keeping their dtype), as torch's
        ours.double() if dtype == np.float64 else ours.float()
        state = {}
        for k, v in theirs.state_dict().items():
            arr = v.detach().numpy()
            state[k] = npgrad.tensor(arr.astype(dtype) if arr.dtype.kind == "f" else arr)
        ours.load_state_dict(state)

    return load


@pytest.fixture
def grads_close():
    """Every parameter gradient of ``ours`` equals the torch one of the same name."""

    def check(ours: Any, theirs: Any, rtol: float, atol: float) -> None:
        torch_grads = {k: p.grad.numpy() for k, p in theirs.named_parameters()}
        our_grads = {k: p.grad.numpy() for k, p in ours.named_parameters()}
        assert our_grads.keys() == torch_grads.keys()
        for k, g in torch_grads.items():
            np.testing.assert_allclose(our_grads[k], g, rtol=rtol, atol=atol, err_msg=k)

    return check
