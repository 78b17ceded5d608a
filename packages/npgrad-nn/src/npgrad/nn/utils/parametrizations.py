"""``nn.utils.parametrizations``: ``weight_norm``, ``spectral_norm`` and ``orthogonal`` as
parametrizations (:mod:`npgrad.nn.utils.parametrize`), PyTorch's recommended forms.

State_dict keys are PyTorch's: ``parametrizations.weight.original0`` (``g``) and
``original1`` (``v``) for weight_norm; ``parametrizations.weight.original`` and
``parametrizations.weight.0._u`` / ``._v`` for spectral_norm; ``parametrizations.weight.original``
and ``parametrizations.weight.0.base`` for orthogonal. A checkpoint saved with the
older :func:`npgrad.nn.utils.weight_norm` (``weight_g`` / ``weight_v``) loads into a module
with the new weight_norm.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.utils import parametrize
from npgrad.nn.utils.spectral_norm import _as_matrix, _default_dim, _normalized
from npgrad.nn.utils.weight_norm import _norm_except_dim, _weight_norm
from npgrad.ops._promote import const

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Parametrize ``module.<name>`` as ``g * v / ||v||`` (Salimans & Kingma, 2016), the norm
    over every dimension but ``dim`` (``None``: the whole tensor).

    ``g`` and ``v`` are ``module.parametrizations.<name>.original0`` / ``original1``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils.parametrizations import weight_norm
    >>> m = weight_norm(nn.Linear(3, 2))
    >>> list(m.state_dict())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    >>> m.parametrizations.weight.original0.shape
    npgrad.Size([2, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_keys(state_dict: dict[str, Any], prefix: str) -> None:
        # a checkpoint of nn.utils.weight_norm (PyTorch's or ours) stores weight_g / weight_v
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            base = f"{prefix}parametrizations.{name}."
            state_dict[base + "original0"] = state_dict.pop(g_key)
            state_dict[base + "original1"] = state_dict.pop(v_key)

    parametrize._add_load_hook(module, load_old_keys)
    return module


class _SpectralNorm(Module):
    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"spectral_norm: dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}], but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = _as_matrix(weight, self.dim)
            h, w = mat.shape
            u = npgrad.randn(h, dtype=weight.dtype)._data
            v = npgrad.randn(w, dtype=weight.dtype)._data
            self.register_buffer("_u", Tensor._make(_normalized(u, eps), False, None))
            self.register_buffer("_v", Tensor._make(_normalized(v, eps), False, None))
            # start close to the top singular vectors, as PyTorch does
            self._power_method(mat._data, 15)

    def _power_method(self, w: np.ndarray, n: int) -> None:
        u, v = self._u, self._v
        for _ in range(n):
            # in place: the buffers are the iteration's state (PyTorch's ``out=``)
            u._data[...] = _normalized(w @ v._data, self.eps)
            v._data[...] = _normalized(w.T @ u._data, self.eps)
        u._version += 1
        v._version += 1

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / npgrad.clamp(npgrad.norm(weight), min=self.eps)
        mat = _as_matrix(weight, self.dim)
        if self.training:
            self._power_method(mat._data, self.n_power_iterations)
        u = Tensor._make(self._u._data.copy(), False, None)
        v = Tensor._make(self._v._data.copy(), False, None)
        sigma = npgrad.dot(u, npgrad.mv(mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        # any weight is a valid original: it is its own spectral normalisation's preimage
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Parametrize ``module.<name>`` as itself divided by its spectral norm (Miyato et al.,
    2018), estimated by power iteration (``n_power_iterations`` steps per read in training
    mode; none in eval mode).

    ``dim`` is the weight's output dimension: 1 for transposed convolutions, else 0.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils.parametrizations import spectral_norm
    >>> m = spectral_norm(nn.Linear(4, 3))
    >>> [key.removeprefix("parametrizations.weight.") for key in m.state_dict()]
    ['bias', 'original', '0._u', '0._v']
    >>> m.weight.shape
    npgrad.Size([3, 4])
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    d = _default_dim(module) if dim is None else dim
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, d, eps)
    )
    return module


# ---- orthogonal ---------------------------------------------------------------------------------
_ORTH_MAPS = ("matrix_exp", "cayley", "householder")


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^T``, ``v_i`` column
    ``i`` of ``a`` below the diagonal with a 1 on it (LAPACK's orgqr, as npgrad ops so that it
    is differentiable)."""
    n, k = a.shape[-2], a.shape[-1]
    eye = npgrad.eye(n, k, dtype=a.dtype)
    v = a.tril(-1) + eye
    q = eye.expand(*a.shape)
    for i in reversed(range(k)):
        vi = v[..., :, i : i + 1]
        q = q - tau[..., i : i + 1, None] * (vi @ (vi.mT @ q))
    return q


def _qr_orthogonal(a: np.ndarray) -> np.ndarray:
    """The Q of ``a = QR`` (tall ``a``) with ``diag(R) >= 0``."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


class _Orthogonal(Module):
    def __init__(self, weight: Tensor, orthogonal_map: str, use_trivialization: bool) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            # set by right_inverse: the forward map's output is rotated by it
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            # the diagonal of x holds the signs (±1) of the columns, constant as in PyTorch
            signs = np.trunc(np.diagonal(x._data, axis1=-2, axis2=-1))
            q = _householder_product(a, tau) * const(signs[..., None, :])
        else:
            # a skew-symmetric n x n matrix from the lower triangle (zero-padded to square)
            x = x.tril()
            if n != k:
                x = npgrad.cat([x, npgrad.zeros(*x.shape[:-1], n - k, dtype=x.dtype)], dim=-1)
            a = x - x.mT
            if self.orthogonal_map == "matrix_exp":
                q = npgrad.matrix_exp(a)
            else:  # Cayley: (I - A/2)^-1 (I + A/2)
                eye = npgrad.eye(n, dtype=a.dtype)
                q = npgrad.linalg.solve(eye - 0.5 * a, eye + 0.5 * a)
            if n != k:
                q = q[..., :k]
        base = self.__dict__["_buffers"].get("base")
        if base is not None:
            q = base @ q
        return q.mT if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        if q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of "
                f"shape {q.shape}."
            )
        qa = q._data
        n, k = qa.shape[-2], qa.shape[-1]
        transpose = n < k
        if transpose:
            qa = qa.swapaxes(-1, -2)
            n, k = k, n
        if "base" not in self._buffers:
            # householder without a base: the reflectors of q's QR decomposition, the diagonal
            # holding the signs that make diag(R) > 0 (a reflector LAPACK skips, tau = 0,
            # flips its sign)
            h, tau = np.linalg.qr(qa, mode="raw")
            a = h.swapaxes(-1, -2).copy()
            d = np.sign(np.diagonal(a, axis1=-2, axis2=-1)) * np.where(tau == 0, -1, 1)
            idx = np.arange(k)
            a[..., idx, idx] = d
            out = a.swapaxes(-1, -2) if transpose else a
            return npgrad.from_numpy(np.ascontiguousarray(out))
        if n == k:
            eps = 10.0 * n * np.finfo(qa.dtype).eps
            gram = qa.swapaxes(-1, -2) @ qa
            if np.allclose(gram, np.eye(k, dtype=qa.dtype), atol=eps):
                base = qa.copy()
            else:
                base = _qr_orthogonal(qa)
        else:
            # complete q to an n x n orthogonal matrix with random columns
            extra = npgrad.randn(*qa.shape[:-1], n - k, dtype=qa.dtype)._data
            base = _qr_orthogonal(np.concatenate([qa, extra], axis=-1))
        self.base = npgrad.from_numpy(base.astype(qa.dtype, copy=False))
        # -I: the forward map sends it to I (and householder(-I) = I)
        neg_eye = np.zeros(self.shape, qa.dtype)
        m = min(self.shape[-2:])
        neg_eye[..., np.arange(m), np.arange(m)] = -1.0
        return npgrad.from_numpy(neg_eye)


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Parametrize ``module.<name>`` (a matrix, or a batch of matrices in its last two
    dimensions) to be orthogonal: ``Q^T Q = I`` (or ``Q Q^T = I`` for a wide matrix).

    Parameters
    ----------
    module : Module
    name : str
        The parameter to parametrize (default ``'weight'``).
    orthogonal_map : {'matrix_exp', 'cayley', 'householder'}, optional
        The map from the unconstrained original to orthogonal matrices; default
        ``'matrix_exp'`` for square matrices, ``'householder'`` otherwise.
    use_trivialization : bool
        Keep a ``base`` (buffer) the map's output is multiplied by, reset on each assignment
        (the "dynamic trivialization"); required by ``'matrix_exp'`` and ``'cayley'``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils.parametrizations import orthogonal
    >>> m = orthogonal(nn.Linear(3, 3))
    >>> w = m.weight.detach()
    >>> bool(npgrad.allclose(w @ w.T, npgrad.eye(3), atol=1e-6))
    True
    >>> list(m.state_dict())
    ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0.base']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if weight.dtype.kind != "f":
        raise TypeError(f"orthogonal: expected a floating point {name}, got {weight.dtype}")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square else "householder"
    if orthogonal_map not in _ORTH_MAPS:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Received: {orthogonal_map}"
        )
    if not use_trivialization and orthogonal_map != "householder":
        # no original maps onto a given orthogonal matrix through these maps alone
        raise ValueError(
            f"orthogonal: the {orthogonal_map!r} map needs use_trivialization=True (it cannot "
            "be initialised from, or assigned, a given matrix otherwise)"
        )
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
