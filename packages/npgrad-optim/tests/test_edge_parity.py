"""Edge cases where the optimizers' trajectories once differed from PyTorch's (valid input).

Each finding has a test against hard NumPy expectations (worked out by hand from PyTorch's
update rule) and, where useful, a ``torch``-marked twin that runs PyTorch on the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import LBFGS, Rprop

NAN, INF = float("nan"), float("inf")

# Rprop(lr=0.01) from [1, 2, -1]; PyTorch's sign(NaN) is 0, so a NaN gradient neither moves its
# coordinate nor changes its step size (and a first-step inf * prev 0 = NaN keeps the step size)
RPROP_GRADS = ([NAN, 1.0, INF], [1.0, 1.0, 1.0], [-1.0, NAN, 1.0])
RPROP_PARAMS = ([1.0, 1.99, -1.01], [0.99, 1.978, -1.022], [0.99, 1.978, -1.0364])
RPROP_SIZES = ([0.01, 0.01, 0.01], [0.01, 0.012, 0.012], [0.005, 0.012, 0.0144])


def test_rprop_nan_gradient_leaves_the_coordinate_and_its_step_size() -> None:
    p = npgrad.tensor([1.0, 2.0, -1.0], dtype=npgrad.float64, requires_grad=True)
    opt = Rprop([p], lr=0.01)
    for grad, params, sizes in zip(RPROP_GRADS, RPROP_PARAMS, RPROP_SIZES):
        p.grad = npgrad.tensor(grad, dtype=npgrad.float64)
        opt.step()
        np.testing.assert_allclose(p.detach().numpy(), params, rtol=1e-12)
        np.testing.assert_allclose(opt.state[p]["step_size"].numpy(), sizes, rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("maximize", [False, True])
def test_rprop_nan_gradient_matches_torch(maximize: bool) -> None:
    torch = pytest.importorskip("torch")
    grads = [*RPROP_GRADS, [NAN, -INF, 2.0], [0.5, 0.5, NAN]]
    p = npgrad.tensor([1.0, 2.0, -1.0], dtype=npgrad.float64, requires_grad=True)
    q = torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64, requires_grad=True)
    opt, ref = Rprop([p], lr=0.01, maximize=maximize), torch.optim.Rprop([q], maximize=maximize)
    for grad in grads:
        p.grad = npgrad.tensor(grad, dtype=npgrad.float64)
        q.grad = torch.tensor(grad, dtype=torch.float64)
        opt.step()
        ref.step()
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)
        for key in ("step_size", "prev"):
            np.testing.assert_allclose(opt.state[p][key].numpy(), ref.state[q][key].numpy())


Closure = Callable[[], Any]
MakeClosure = Callable[[Any, Callable[[np.ndarray], Any], list[list[float]]], Closure]


def _run_lbfgs(
    make_closure: MakeClosure,
    x0: list[float],
    lib: Any,
    **kwargs: Any,
) -> tuple[list[list[float]], list[float], int]:
    """One LBFGS.step of ``lib`` (npgrad or torch) from ``x0``: the points the closure was
    evaluated at, the final parameters and the evaluation count."""
    x = lib.tensor(x0, dtype=lib.float64, requires_grad=True)
    opt = (LBFGS if lib is npgrad else lib.optim.LBFGS)([x], **kwargs)
    points: list[list[float]] = []
    opt.step(make_closure(x, lambda a: lib.tensor(a, dtype=lib.float64), points))
    return points, x.detach().numpy().tolist(), opt.state[x]["func_evals"]


def _abs_closure(x: Any, tensor: Callable[[np.ndarray], Any], points: list) -> Closure:
    """sum(|x|) with its gradient sign(x), set by hand (the same numbers for both libraries)."""

    def closure() -> Any:
        v = np.array(x.detach().numpy(), dtype=np.float64)
        points.append(v.tolist())
        x.grad = tensor(np.sign(v))
        return float(np.abs(v).sum())

    return closure


def _nan_closure(x: Any, tensor: Callable[[np.ndarray], Any], points: list) -> Closure:
    """(x - 3)^2 for x <= 0.5, NaN (loss and gradient) beyond."""

    def closure() -> Any:
        v = float(x.detach().numpy()[0])
        points.append([v])
        inside = v <= 0.5
        x.grad = tensor(np.array([2 * (v - 3) if inside else NAN]))
        return (v - 3) ** 2 if inside else NAN

    return closure


ABS_X0 = [-1.2, 1.0, 0.5, -0.3]
# along d = -sign(x0) the loss is a straight line: the cubic's minimizer is at infinity (an
# IEEE division by a zero denominator in PyTorch), so the extrapolation takes the upper
# bound 10 t = 2.5, not the middle of the bounds
ABS_THIRD_POINT = [1.3, -1.5, -2.0, 2.2]


@pytest.mark.parametrize("kwargs", [{"max_iter": 3, "history_size": 2}, {"max_eval": 3}])
def test_lbfgs_line_search_extrapolates_a_straight_line_to_the_bound(kwargs: dict) -> None:
    points, _, evals = _run_lbfgs(
        _abs_closure, ABS_X0, npgrad, line_search_fn="strong_wolfe", **kwargs
    )
    np.testing.assert_allclose(points[2], ABS_THIRD_POINT, rtol=1e-14)
    assert evals == 4


def test_lbfgs_line_search_is_bounded_by_max_eval() -> None:
    # PyTorch passes max_ls = max_eval - evaluations so far to the line search: with the
    # default max_eval = 25 the first step stops after 26 evaluations (the line search can't
    # use its own 25 iterations on top of the evaluations already made)
    points, x, evals = _run_lbfgs(_abs_closure, ABS_X0, npgrad, line_search_fn="strong_wolfe")
    assert evals == len(points) == 26
    np.testing.assert_allclose(x, points[23], rtol=1e-14)


def test_lbfgs_line_search_treats_a_nan_loss_as_pytorch() -> None:
    # a NaN loss doesn't fail PyTorch's ``f_new > f + c1 t gtd``: the search extrapolates (the
    # cubic through a NaN has no minimizer: the middle of [1.01 t, 10 t]) instead of zooming
    points, x, evals = _run_lbfgs(
        _nan_closure, [0.0], npgrad, lr=6.0, line_search_fn="strong_wolfe", max_eval=3
    )
    t2 = (1.01 + 10) / 2
    t3 = (t2 + 0.01 * (t2 - 1) + 10 * t2) / 2
    np.testing.assert_allclose(np.ravel(points), [0.0, 6.0, 6 * t2, 6 * t3], rtol=1e-14)
    np.testing.assert_allclose(x, [6 * t3], rtol=1e-14)
    assert evals == 4


@pytest.mark.torch
@pytest.mark.parametrize(
    ("make_closure", "x0", "kwargs"),
    [
        (_abs_closure, ABS_X0, {"max_iter": 3, "history_size": 2}),
        (_abs_closure, ABS_X0, {}),
        (_abs_closure, ABS_X0, {"max_eval": 1}),
        (_abs_closure, ABS_X0, {"max_eval": 7, "max_iter": 30}),
        (_abs_closure, ABS_X0, {"lr": 2.0, "max_eval": 30}),
        (_nan_closure, [0.0], {"lr": 6.0, "max_eval": 3}),
        (_nan_closure, [0.0], {"lr": 6.0}),
    ],
)
def test_lbfgs_strong_wolfe_edge_cases_match_torch(
    make_closure: MakeClosure, x0: list[float], kwargs: dict
) -> None:
    torch = pytest.importorskip("torch")
    kwargs = {"line_search_fn": "strong_wolfe", **kwargs}
    points, x, evals = _run_lbfgs(make_closure, x0, npgrad, **kwargs)
    ref_points, ref_x, ref_evals = _run_lbfgs(make_closure, x0, torch, **kwargs)
    assert evals == ref_evals
    np.testing.assert_allclose(points, ref_points, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x, ref_x, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("num_averaged", "weight"),
    [
        (2, 1 / 3),  # a Python count: the exact weight
        (npgrad.tensor(2), float(np.float32(1 / 3))),  # int64 count: a float32 weight
        (npgrad.tensor(2, dtype=npgrad.float64), 1 / 3),
    ],
)
def test_swa_multi_avg_fn_weight_follows_the_count_type(num_averaged: Any, weight: float) -> None:
    from npgrad.optim.swa_utils import get_swa_multi_avg_fn

    averaged = [npgrad.tensor([0.0, 3.0], dtype=npgrad.float64)]
    get_swa_multi_avg_fn()(
        averaged, [npgrad.tensor([1.0, 0.0], dtype=npgrad.float64)], num_averaged
    )
    # PyTorch computes 1 / (num_averaged + 1) as written: an integer tensor divides into the
    # default dtype, float32, and that rounded weight moves the float64 average
    np.testing.assert_array_equal(averaged[0].numpy(), [weight, 3.0 - 3.0 * weight])


@pytest.mark.torch
@pytest.mark.parametrize("count", ["int", "int64", "float64"])
def test_swa_multi_avg_fn_matches_torch(count: str) -> None:
    torch = pytest.importorskip("torch")
    from torch.optim.swa_utils import get_swa_multi_avg_fn as torch_swa

    from npgrad.optim.swa_utils import get_swa_multi_avg_fn

    rng = np.random.default_rng(0)
    start = rng.standard_normal((2, 3))
    mine, ref = [npgrad.tensor(start.copy())], [torch.tensor(start.copy())]
    for n in range(1, 6):
        current = rng.standard_normal((2, 3))
        mine_n: Any = n if count == "int" else npgrad.tensor(n, dtype=getattr(npgrad, count))
        ref_n: Any = n if count == "int" else torch.tensor(n, dtype=getattr(torch, count))
        get_swa_multi_avg_fn()(mine, [npgrad.tensor(current)], mine_n)
        torch_swa()(ref, [torch.tensor(current)], ref_n)
        np.testing.assert_allclose(mine[0].numpy(), ref[0].numpy(), rtol=1e-15)


@pytest.mark.parametrize(("dtype", "huge"), [("float32", 1e30), ("float64", 1e200)])
def test_rmsprop_centered_overflowing_square_keeps_the_parameter(dtype: str, huge: float) -> None:
    from npgrad.optim import RMSprop

    # square_avg = 0.01 g^2 overflows to inf and so does grad_avg^2 = (0.01 g)^2: PyTorch's
    # fused square_avg - grad_avg^2 (addcmul) stays inf, so the step g / inf is 0, not NaN
    p = npgrad.tensor([1.0, -2.0], dtype=getattr(npgrad, dtype), requires_grad=True)
    opt = RMSprop([p], lr=0.01, centered=True)
    p.grad = npgrad.tensor([huge, 1.0], dtype=getattr(npgrad, dtype))
    with np.errstate(over="ignore", invalid="ignore"):
        opt.step()
    assert p.numpy()[0] == 1.0
    np.testing.assert_allclose(p.numpy()[1], -2.0 - 0.01 / np.sqrt(0.01 - 0.0001), rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_centered_overflow_matches_torch(momentum: float) -> None:
    torch = pytest.importorskip("torch")
    from npgrad.optim import RMSprop

    grads = [[1e30, 1.0, 2.0], [1.0, 1e30, -1.0], [INF, 1.0, 1.0], [1.0, 1.0, NAN], [1.0] * 3]
    p = npgrad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    q = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt = RMSprop([p], lr=0.01, centered=True, momentum=momentum)
    ref = torch.optim.RMSprop([q], lr=0.01, centered=True, momentum=momentum)
    for grad in grads:
        p.grad, q.grad = npgrad.tensor(grad), torch.tensor(grad)
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step()
        ref.step()
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6)
