"""L-BFGS: Rosenbrock iterates equal torch's, the line search's contract, state, errors."""

from __future__ import annotations

import copy
import io
import pickle
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.optim import LBFGS
from npgrad.optim.lbfgs import _cubic_minimizer, _strong_wolfe

X0 = [np.array([-1.2, 1.0]), np.array([[0.5, -0.7], [1.3, 0.2]])]


def rosenbrock(arrays: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
    """The extended Rosenbrock function of the concatenated arrays, with its gradient (float64:
    the same numbers reach npgrad and torch, so only the optimizers can differ)."""
    x = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    f = float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    grads, offset = [], 0
    for a in arrays:
        grads.append(g[offset : offset + a.size].reshape(a.shape))
        offset += a.size
    return f, grads


def run_npgrad(
    kwargs: dict[str, Any], dtype: str, steps: int, opt_state: Any = None
) -> tuple[np.ndarray, LBFGS, list[npgrad.Tensor], list[float]]:
    params = [npgrad.tensor(x.astype(dtype), requires_grad=True) for x in X0]
    opt = LBFGS(params, **kwargs)
    calls = []

    def closure() -> npgrad.Tensor:
        f, grads = rosenbrock([p.numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = npgrad.tensor(g.astype(dtype))
        calls.append(f)
        return npgrad.tensor(f, dtype=getattr(npgrad, dtype))

    history = []
    for _ in range(steps):
        opt.step(closure)
        history.append(np.concatenate([p.numpy().ravel() for p in params]))
    return np.array(history), opt, params, calls


def run_torch(kwargs: dict[str, Any], dtype: str, steps: int) -> tuple[np.ndarray, Any]:
    torch = pytest.importorskip("torch")
    params = [torch.tensor(x.astype(dtype), requires_grad=True) for x in X0]
    opt = torch.optim.LBFGS(params, **kwargs)

    def closure() -> Any:
        f, grads = rosenbrock([p.detach().numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.astype(dtype))
        return torch.tensor(f, dtype=getattr(torch, dtype))

    history = []
    for _ in range(steps):
        opt.step(closure)
        history.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(history), opt


SETTINGS = [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"history_size": 3, "max_iter": 7, "lr": 0.5},
    {"history_size": 3, "max_iter": 7, "line_search_fn": "strong_wolfe"},
]


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", SETTINGS, ids=str)
def test_rosenbrock_iterates_match_torch_in_float64(kwargs: dict[str, Any]) -> None:
    theirs, torch_opt = run_torch(kwargs, "float64", 6)
    ours, opt, _, _ = run_npgrad(kwargs, "float64", 6)
    # the dot products are summed in a different order than torch's BLAS; the Rosenbrock
    # valley amplifies those last bits to ~1e-8 in the middle of the run
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-7)
    ours_state, theirs_state = opt.state_dict()["state"][0], torch_opt.state_dict()["state"][0]
    for key in ("func_evals", "n_iter"):
        assert ours_state[key] == theirs_state[key], key
    assert len(ours_state["old_dirs"]) == len(theirs_state["old_dirs"])
    assert set(theirs_state) - set(ours_state) == {"al"}  # torch's scratch buffer


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", SETTINGS[:2], ids=str)
def test_float32_follows_torch_and_reaches_the_same_minimum(kwargs: dict[str, Any]) -> None:
    theirs, _ = run_torch(kwargs, "float32", 8)
    ours, _, params, _ = run_npgrad(kwargs, "float32", 8)
    assert ours.dtype == np.float32 and all(p.dtype == np.float32 for p in params)
    # torch computes the line search's scalars in float32, npgrad in float64: the first
    # iterations agree to float32 rounding, and both runs converge to the same point
    np.testing.assert_allclose(ours[0], theirs[0], rtol=0, atol=1e-4)
    np.testing.assert_allclose(ours[-1], theirs[-1], atol=1e-4)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_minimises_rosenbrock_and_respects_the_evaluation_budget(line_search_fn: Any) -> None:
    history, opt, params, calls = run_npgrad(
        {"line_search_fn": line_search_fn, "max_iter": 10}, "float64", 15
    )
    f, grads = rosenbrock([p.numpy() for p in params])
    assert f < 4.0  # from 36.5 at the start (to the local minimum near x0 = -1)
    state = opt.state[params[0]]
    assert state["func_evals"] == len(calls)
    assert state["n_iter"] <= 15 * 10
    # without a line search every iteration evaluates once: at most max_eval per step
    if line_search_fn is None:
        assert len(calls) <= 15 * opt.param_groups[0]["max_eval"]


def test_a_convex_quadratic_is_solved() -> None:
    a = np.array([[3.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    x = npgrad.zeros(3, dtype=npgrad.float64, requires_grad=True)
    opt = LBFGS([x], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=0)

    def closure() -> npgrad.Tensor:
        opt.zero_grad()
        loss = 0.5 * x @ (npgrad.tensor(a) @ x) - npgrad.tensor(b) @ x
        loss.backward()
        return loss

    first = opt.step(closure)
    assert first.item() == 0.0  # step returns the loss before the iterations
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, b), rtol=1e-9)


def test_a_stationary_start_returns_after_one_evaluation() -> None:
    x = npgrad.tensor([1.0, 1.0], dtype=npgrad.float64, requires_grad=True)
    opt = LBFGS([x])
    calls = []

    def closure() -> npgrad.Tensor:
        calls.append(1)
        x.grad = npgrad.zeros(2, dtype=npgrad.float64)
        return npgrad.tensor(0.0)

    opt.step(closure)
    assert len(calls) == 1 and x.tolist() == [1.0, 1.0]


def test_the_cubic_minimizer_is_exact_for_a_cubic() -> None:
    # f(x) = x^3 - 3x has its local minimum at x = 1
    assert _cubic_minimizer(0.0, 0.0, -3.0, 2.0, 2.0, 9.0) == pytest.approx(1.0, rel=1e-14)
    assert _cubic_minimizer(2.0, 2.0, 9.0, 0.0, 0.0, -3.0) == pytest.approx(1.0, rel=1e-14)
    # clamped to the bounds given
    assert _cubic_minimizer(0.0, 0.0, -3.0, 2.0, 2.0, 9.0, bounds=(1.5, 3.0)) == 1.5
    # f(x) = x^3 + 3x has no minimum: the middle of the bounds
    assert _cubic_minimizer(0.0, 0.0, 3.0, 1.0, 4.0, 6.0) == 0.5


def test_the_line_search_returns_a_strong_wolfe_point() -> None:
    # phi(t) = f(x + t d) for f(x) = x^4 - 2x^2 + x from x = -0.2, d = -1 (a double well)
    def f(x: float) -> float:
        return x**4 - 2 * x**2 + x

    def g(x: float) -> float:
        return 4 * x**3 - 4 * x + 1

    x0, d = -0.2, np.array([-1.0])
    f0, g0 = f(x0), np.array([g(x0)])
    gtd = float(g0 @ d)
    for t0 in (1e-3, 1.0, 10.0):  # too short (extrapolates), about right, too long (zooms)
        loss, grad, t, evaluations = _strong_wolfe(
            lambda t: (f(x0 - t), np.array([g(x0 - t)])), t0, d, f0, g0, gtd
        )
        assert loss == f(x0 - t) and grad[0] == g(x0 - t)
        assert loss <= f0 + 1e-4 * t * gtd  # sufficient decrease
        assert abs(float(grad @ d)) <= 0.9 * abs(gtd)  # curvature
        assert 1 <= evaluations <= 25


@pytest.mark.parametrize("transport", ["direct", "deepcopy", "pickle"])
def test_state_dict_round_trip_resumes_exactly(transport: str) -> None:
    kwargs = {"line_search_fn": "strong_wolfe", "max_iter": 4, "history_size": 5}
    _, opt, params, _ = run_npgrad(kwargs, "float64", 3)
    state = opt.state_dict()
    if transport == "deepcopy":
        state = copy.deepcopy(state)
    elif transport == "pickle":
        state = pickle.loads(pickle.dumps(state))
    assert list(state["state"]) == [0]
    fresh_params = [npgrad.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    fresh = LBFGS(fresh_params, **kwargs)
    fresh.load_state_dict(state)

    def closure_for(ps: list[npgrad.Tensor]) -> Any:
        def closure() -> npgrad.Tensor:
            f, grads = rosenbrock([p.numpy() for p in ps])
            for p, g in zip(ps, grads):
                p.grad = npgrad.tensor(g)
            return npgrad.tensor(f)

        return closure

    for _ in range(3):
        opt.step(closure_for(params))
        fresh.step(closure_for(fresh_params))
    for p, q in zip(params, fresh_params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    assert fresh.state[fresh_params[0]]["n_iter"] == opt.state[params[0]]["n_iter"]


@pytest.mark.torch
def test_a_torch_checkpoint_loads_and_continues_like_torch() -> None:
    torch = pytest.importorskip("torch")
    kwargs = {"max_iter": 3, "history_size": 4, "line_search_fn": "strong_wolfe"}
    tparams = [torch.tensor(x, requires_grad=True) for x in X0]
    topt = torch.optim.LBFGS(tparams, **kwargs)

    def tclosure() -> Any:
        f, grads = rosenbrock([p.detach().numpy() for p in tparams])
        for p, g in zip(tparams, grads):
            p.grad = torch.from_numpy(g)
        return torch.tensor(f, dtype=torch.float64)

    for _ in range(2):
        topt.step(tclosure)
    buffer = io.BytesIO()
    torch.save(topt.state_dict(), buffer)
    buffer.seek(0)
    params = [npgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    opt = LBFGS(params, **kwargs)
    opt.load_state_dict(npgrad.load(buffer))

    def closure() -> npgrad.Tensor:
        f, grads = rosenbrock([p.numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = npgrad.tensor(g)
        return npgrad.tensor(f, dtype=npgrad.float64)

    for _ in range(3):
        topt.step(tclosure)
        opt.step(closure)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=0, atol=1e-7)


def test_errors() -> None:
    x = npgrad.zeros(2, requires_grad=True)
    y = npgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        LBFGS([{"params": [x]}, {"params": [y]}])
    opt = LBFGS([x])
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        opt.add_param_group({"params": [y]})
    assert len(opt.param_groups) == 1
    with pytest.raises(TypeError, match="a closure is required"):
        opt.step()
    with pytest.raises(ValueError, match="only 'strong_wolfe' is supported"):
        LBFGS([x], line_search_fn="armijo")
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        LBFGS([x], lr=-1)
    with pytest.raises(TypeError, match="max_iter must be an int"):
        LBFGS([x], max_iter=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="history_size must be >= 1"):
        LBFGS([x], history_size=0)


def test_defaults_match_torchs() -> None:
    opt = LBFGS([npgrad.zeros(1, requires_grad=True)], max_iter=8)
    group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    assert group == {
        "lr": 1,
        "max_iter": 8,
        "max_eval": 10,
        "tolerance_grad": 1e-7,
        "tolerance_change": 1e-9,
        "history_size": 100,
        "line_search_fn": None,
    }


@pytest.mark.torch
def test_repr_and_group_keys_match_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = LBFGS([npgrad.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.LBFGS([torch.zeros(1, requires_grad=True)], lr=0.1)
    torch_only = {"foreach", "fused", "capturable", "differentiable"}
    lines = [ln for ln in repr(theirs).splitlines() if ln.split(":")[0].strip() not in torch_only]
    assert repr(ours).splitlines() == lines
