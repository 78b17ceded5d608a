"""``nn.utils.spectral_norm`` / ``remove_spectral_norm``: PyTorch's original (hook-based)
spectral normalisation, ``w = w_orig / sigma(w_orig)``, with ``sigma`` estimated by power
iteration. The state_dict keys are PyTorch's: ``weight_orig`` (the trained parameter),
``weight_u`` and ``weight_v`` (the power iteration's vectors, buffers).

In training mode each call runs ``n_power_iterations`` steps, updating ``weight_u`` /
``weight_v`` in place; in eval mode they are used as they are. ``sigma = u · (W v)`` is
differentiated w.r.t. ``W`` only (``u`` and ``v`` are constants), as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter

__all__ = ["remove_spectral_norm", "spectral_norm"]


def _as_matrix(weight: Tensor, dim: int) -> Tensor:
    # ``dim`` (the output dimension) first, the rest flattened
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _normalized(a: np.ndarray, eps: float) -> np.ndarray:
    # F.normalize: a / max(||a||, eps), in a's dtype
    return a / np.maximum(np.linalg.norm(a), eps).astype(a.dtype)


def _default_dim(module: Module) -> int:
    # a transposed convolution's weight is (in, out, ...): its output dimension is 1
    from npgrad.nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def _random_unit(n: int, dtype: np.dtype, eps: float) -> Tensor:
    u = npgrad.randn(n, dtype=dtype)
    return Tensor._make(_normalized(u._data, eps), False, None)


class _SpectralNormHook:
    """The forward pre-hook: ``module.<name> = <name>_orig / sigma`` before each call."""

    handle: Any  # the forward pre-hook's handle, to remove it

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        mat = _as_matrix(weight, self.dim)
        if do_power_iteration:
            w = mat._data
            for _ in range(self.n_power_iterations):
                # in place, as PyTorch's ``normalize(..., out=v)``: the buffers are the state
                v._data[...] = _normalized(w.T @ u._data, self.eps)
                u._data[...] = _normalized(w @ v._data, self.eps)
            u._version += 1
            v._version += 1
        uc = Tensor._make(u._data.copy(), False, None)
        vc = Tensor._make(v._data.copy(), False, None)
        sigma = npgrad.dot(uc, npgrad.mv(mat, vc))
        return weight / sigma

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its spectral norm (Miyato et al., 2018), estimated by power
    iteration.

    Parameters
    ----------
    module : Module
    name : str
        The parameter to normalise (default ``'weight'``).
    n_power_iterations : int
        Power-iteration steps per call in training mode.
    eps : float
        Floor of the norms the vectors are divided by.
    dim : int, optional
        The output dimension of the weight: 1 for transposed convolutions, else 0.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.utils.spectral_norm(nn.Linear(4, 3))
    >>> sorted(m.state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    >>> _ = m(npgrad.ones(1, 4))
    >>> m.weight.shape
    npgrad.Size([3, 4])
    """
    d = _default_dim(module) if dim is None else dim
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, _SpectralNormHook) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two spectral_norm hooks on the same parameter {name}"
            )
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
    if not -weight.ndim <= d < weight.ndim:
        raise IndexError(
            f"spectral_norm: dim {d} is out of range for a weight of shape {weight.shape}"
        )
    fn = _SpectralNormHook(name, n_power_iterations, d % weight.ndim, eps)
    h, w = _as_matrix(weight, fn.dim).shape
    u = _random_unit(h, weight.dtype, eps)
    v = _random_unit(w, weight.dtype, eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`spectral_norm`: ``module.<name>`` becomes a Parameter holding the
    normalised weight (with the current ``u`` and ``v``, no further iteration).

    Examples
    --------
    >>> from npgrad import nn
    >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(4, 3)))
    >>> sorted(m.state_dict())
    ['bias', 'weight']
    """
    for hook in list(module._forward_pre_hooks.values()):
        if isinstance(hook, _SpectralNormHook) and hook.name == name:
            with npgrad.no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            module.__dict__.pop(name, None)
            del module._buffers[name + "_u"]
            del module._buffers[name + "_v"]
            del module._parameters[name + "_orig"]
            module.register_parameter(name, Parameter(weight.detach()))
            hook.handle.remove()
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
