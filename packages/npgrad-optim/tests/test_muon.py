"""Muon: bfloat16 emulation, Newton–Schulz orthogonalization, the update rule, learning-rate
adjustment, errors, state dicts, and trajectories equal to torch.optim.Muon's."""

from __future__ import annotations

import copy
import io
import math
import pickle
import re
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import optim
from npgrad.optim import Muon
from npgrad.optim.muon import _bfloat16, _orthogonalize

NS = (3.4445, -4.775, 2.0315)
RNG = np.random.default_rng(7)

# three weight matrices: wide, tall (orthogonalized transposed) and square
X0 = [RNG.standard_normal(shape) for shape in [(3, 5), (6, 4), (4, 4)]]
SCALES = [RNG.uniform(0.2, 3.0, x.shape) for x in X0]
TARGETS = [RNG.standard_normal(x.shape) for x in X0]


def grads_at(arrays: list[np.ndarray], step: int) -> list[np.ndarray | None]:
    """Gradients (float64) of a coupled, non-quadratic problem; the last parameter has no
    gradient every third step (Muon must skip it)."""
    out: list[np.ndarray | None] = [
        s * (x - t) + 0.3 * np.sin(3.0 * x + step)
        for x, s, t in zip((a.astype(np.float64) for a in arrays), SCALES, TARGETS)
    ]
    if step % 3 == 2:
        out[2] = None
    return out


def groups(params: list[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"params": params[:2]}, {"params": params[2:], "lr": kwargs.get("lr", 1e-3) / 2}]


def run_npgrad(kwargs: dict[str, Any], dtype: str, steps: int) -> tuple[list[Any], Muon]:
    params = [npgrad.tensor(x.astype(dtype), requires_grad=True) for x in X0]
    opt = Muon(groups(params, kwargs), **kwargs)
    history = []
    for step in range(steps):
        for p, g in zip(params, grads_at([p.numpy() for p in params], step)):
            p.grad = None if g is None else npgrad.tensor(g.astype(dtype))
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history, opt


def run_torch(kwargs: dict[str, Any], dtype: str, steps: int) -> tuple[list[Any], Any]:
    torch = pytest.importorskip("torch")
    params = [torch.tensor(x.astype(dtype), requires_grad=True) for x in X0]
    opt = torch.optim.Muon(groups(params, kwargs), **kwargs)
    history = []
    for step in range(steps):
        for p, g in zip(params, grads_at([p.detach().numpy() for p in params], step)):
            p.grad = None if g is None else torch.from_numpy(g.astype(dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


# ---- bfloat16 and the orthogonalization ----------------------------------------------------
def test_bfloat16_rounds_to_nearest_even() -> None:
    f = np.float32
    x = np.array(
        [1.0, 1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, -(1 + 3 * 2**-8), 3.4e38, 1e-40],
        dtype=f,
    )
    expected = np.array([1.0, 1.0, 1 + 2**-6, 1 + 2**-7, -(1 + 2**-6), np.inf, 1e-40], dtype=f)
    got = _bfloat16(x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got[:6], expected[:6])
    # a subnormal is rounded to bfloat16's subnormal grid (spacing 2**-133)
    assert got[6].view(np.uint32) & 0xFFFF == 0 and abs(got[6] - f(1e-40)) <= 2.0**-134
    special = _bfloat16(np.array([np.inf, -np.inf, np.nan, -0.0], dtype=f))
    assert special[0] == np.inf and special[1] == -np.inf and np.isnan(special[2])
    assert special[3] == 0 and np.signbit(special[3])


def test_orthogonalize_equalizes_singular_values() -> None:
    for shape in [(5, 9), (9, 5), (6, 6), (1, 4), (4, 1)]:
        g = RNG.standard_normal(shape) * 50.0
        o = _orthogonalize(g, NS, 5, 1e-7)
        assert o.shape == shape and o.dtype == np.float32
        np.testing.assert_array_equal(_bfloat16(o), o)  # bfloat16 values
        u, s, vt = np.linalg.svd(g, full_matrices=False)
        so = np.linalg.svd(o.astype(np.float64), compute_uv=False)
        assert so.min() > 0.6 and so.max() < 1.25, so
        # the same singular vectors: o is close to u f(s) v^T
        approx = u @ np.diag(np.diag(u.T @ o @ vt.T)) @ vt
        np.testing.assert_allclose(o, approx, atol=0.03)


def test_orthogonalize_of_zero_is_zero_and_steps_zero_only_normalizes() -> None:
    np.testing.assert_array_equal(_orthogonalize(np.zeros((2, 3)), NS, 5, 1e-7), 0.0)
    g = np.array([[3.0, 4.0], [0.0, 0.0]])
    o = _orthogonalize(g, NS, 0, 1e-7)
    np.testing.assert_allclose(o, [[0.6, 0.8], [0.0, 0.0]], rtol=2**-8)
    np.testing.assert_array_equal(_bfloat16(o), o)


@pytest.mark.torch
def test_bfloat16_equals_torchs_conversion() -> None:
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal(20000) * 10.0 ** RNG.uniform(-40, 38, 20000)).astype(np.float32)
    with np.errstate(over="ignore"):
        theirs = torch.from_numpy(x).bfloat16().float().numpy()
    np.testing.assert_array_equal(_bfloat16(x), theirs)


@pytest.mark.torch
def test_orthogonalize_equals_torchs_newton_schulz() -> None:
    torch = pytest.importorskip("torch")
    from torch.optim._muon import _zeropower_via_newtonschulz

    for _ in range(40):
        shape = tuple(RNG.integers(1, 8, size=2))
        g = RNG.standard_normal(shape) * 10.0 ** RNG.uniform(-9, 3)
        coefficients, steps = (NS, 5) if _ % 2 else ((2.0, -1.5, 0.5), 3)
        theirs = _zeropower_via_newtonschulz(torch.from_numpy(g), coefficients, steps, 1e-7)
        np.testing.assert_array_equal(
            _orthogonalize(g, coefficients, steps, 1e-7), theirs.float().numpy()
        )


# ---- the update rule -------------------------------------------------------------------------
def test_defaults_are_torchs() -> None:
    opt = Muon([npgrad.zeros(2, 3, requires_grad=True)])
    group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    assert group == {
        "lr": 0.001,
        "weight_decay": 0.1,
        "momentum": 0.95,
        "nesterov": True,
        "ns_coefficients": (3.4445, -4.775, 2.0315),
        "eps": 1e-07,
        "ns_steps": 5,
        "adjust_lr_fn": None,
    }
    assert list(group) == list(opt.defaults)


def _one_step(
    g: np.ndarray, p0: np.ndarray | None = None, **kwargs: Any
) -> tuple[np.ndarray, np.ndarray, Muon]:
    p0 = RNG.standard_normal(g.shape) if p0 is None else p0
    p = npgrad.tensor(p0, requires_grad=True)
    opt = Muon([p], **kwargs)
    p.grad = npgrad.tensor(g)
    opt.step()
    return p0, p.numpy(), opt


@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("shape", [(3, 5), (6, 2)])
def test_first_step_against_a_float64_reference(nesterov: bool, shape: tuple[int, int]) -> None:
    # an independent float64 evaluation of the documented rule. The bfloat16 iteration
    # agrees with it to 0.5% of the entries' size (about 1) on average, 2.6% at worst; the
    # roundings are amplified where the polynomial is steep, up to 0.1 in one entry (worst
    # of 2000 random matrices)
    rng = np.random.default_rng(10 * shape[0] + nesterov)
    g = rng.standard_normal(shape)
    lr, wd, mu = 0.1, 0.2, 0.9
    p0 = rng.standard_normal(shape)
    p0, p1, opt = _one_step(g, p0, lr=lr, weight_decay=wd, momentum=mu, nesterov=nesterov)
    buf = (1 - mu) * g
    update = g + mu * (buf - g) if nesterov else buf
    x = update if shape[0] <= shape[1] else update.T
    x = x / np.linalg.norm(x)
    for _ in range(5):
        gram = x @ x.T
        x = NS[0] * x + (NS[1] * gram + NS[2] * gram @ gram) @ x
    x = x if shape[0] <= shape[1] else x.T
    ortho = (p0 * (1 - lr * wd) - p1) / (lr * math.sqrt(max(1, shape[0] / shape[1])))
    np.testing.assert_allclose(ortho, x, atol=0.12)
    assert np.abs(ortho - x).mean() < 0.03
    assert not np.allclose(ortho, x, atol=1e-5)  # but it is bfloat16, not float64
    np.testing.assert_allclose(opt.state_dict()["state"][0]["momentum_buffer"].numpy(), buf)


def test_learning_rate_adjustments() -> None:
    g = RNG.standard_normal((6, 2))
    moves = {}
    for fn in [None, "original", "match_rms_adamw"]:
        _, moves[fn], _ = _one_step(
            g, np.zeros(g.shape), lr=0.01, weight_decay=0.0, adjust_lr_fn=fn
        )
    np.testing.assert_array_equal(moves[None], moves["original"])
    # the same orthogonalized update, scaled by sqrt(max(1, 6/2)) and 0.2 * sqrt(max(6, 2))
    np.testing.assert_allclose(
        moves["match_rms_adamw"],
        moves["original"] * (0.2 * math.sqrt(6) / math.sqrt(3)),
        rtol=1e-12,
    )
    wide = {}
    for fn in ["original", "match_rms_adamw"]:
        _, wide[fn], _ = _one_step(
            g.T.copy(), np.zeros(g.T.shape), lr=0.01, weight_decay=0.0, adjust_lr_fn=fn
        )
    np.testing.assert_allclose(wide["original"], moves["original"].T / math.sqrt(3), rtol=1e-12)


def test_weight_decay_is_decoupled() -> None:
    p = npgrad.tensor([[1.0, -2.0], [4.0, 0.5]], dtype=npgrad.float64, requires_grad=True)
    opt = Muon([p], lr=0.1, weight_decay=0.5)
    p.grad = npgrad.zeros(2, 2, dtype=npgrad.float64)
    opt.step()  # a zero update: only the decay acts
    np.testing.assert_array_equal(p.numpy(), np.array([[1.0, -2.0], [4.0, 0.5]]) * (1 - 0.05))


def test_float32_stays_float32_and_skips_missing_gradients() -> None:
    a = npgrad.randn(3, 4, requires_grad=True)
    b = npgrad.randn(2, 2, requires_grad=True)
    before_b, version = b.numpy().copy(), a._version
    opt = Muon([a, b], lr=0.1)
    a.grad = npgrad.randn(3, 4)
    loss = opt.step(lambda: npgrad.tensor(3.0))
    assert float(loss) == 3.0
    assert a.dtype == np.float32 and a._version == version + 1
    assert opt.state[a]["momentum_buffer"].dtype == np.float32
    assert b not in opt.state
    np.testing.assert_array_equal(b.numpy(), before_b)


def test_an_empty_matrix_is_left_alone() -> None:
    w = npgrad.zeros(3, 0, requires_grad=True)
    opt = Muon([w], lr=0.1)
    w.grad = npgrad.zeros(3, 0)
    opt.step()
    assert w.shape == (3, 0) and opt.state[w]["momentum_buffer"].shape == (3, 0)


# ---- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_only_2d_parameters(shape: tuple[int, ...]) -> None:
    bad = npgrad.zeros(*shape, requires_grad=True)
    with pytest.raises(ValueError, match=rf"only supports 2D parameters.*{re.escape(str(shape))}"):
        Muon([npgrad.zeros(2, 2, requires_grad=True), bad])
    opt = Muon([npgrad.zeros(2, 2, requires_grad=True)])
    with pytest.raises(ValueError, match="only supports 2D"):
        opt.add_param_group({"params": [bad]})
    with pytest.raises(ValueError, match="only supports 2D"):
        opt.add_param_group({"params": iter([("w", bad)])})
    assert len(opt.param_groups) == 1


def test_add_param_group_takes_an_iterator() -> None:
    opt = Muon([npgrad.zeros(2, 2, requires_grad=True)])
    w = npgrad.zeros(3, 2, requires_grad=True)
    opt.add_param_group({"params": iter([w]), "lr": 0.5})
    assert opt.param_groups[1]["params"] == [w] and opt.param_groups[1]["lr"] == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -1.0}, ValueError, "lr"),
        ({"momentum": -0.1}, ValueError, "momentum"),
        ({"weight_decay": -1e-3}, ValueError, "weight_decay"),
        ({"eps": -1.0}, ValueError, "eps"),
        ({"adjust_lr_fn": "foo"}, ValueError, "'foo' is not supported"),
        ({"ns_steps": 100}, ValueError, "less than 100"),
        ({"ns_steps": -1}, ValueError, "ns_steps"),
        ({"ns_steps": 2.5}, ValueError, "ns_steps"),
        ({"ns_coefficients": (1.0, 2.0)}, ValueError, "exactly 3 values"),
        ({"ns_coefficients": (1.0, 2.0, "c")}, TypeError, r"ns_coefficients\[2\]"),
        ({"lr": npgrad.tensor([0.1, 0.2])}, ValueError, "1 element"),
        ({"lr": "fast"}, TypeError, "lr must be a number"),
    ],
)
def test_bad_hyper_parameters(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Muon([npgrad.zeros(2, 2, requires_grad=True)], **kwargs)


def test_a_group_edited_to_bad_values_fails_before_any_update() -> None:
    a, b = npgrad.randn(2, 3, requires_grad=True), npgrad.randn(3, 3, requires_grad=True)
    opt = Muon([{"params": [a]}, {"params": [b]}], lr=0.1)
    opt.param_groups[1]["ns_steps"] = 100
    a.grad, b.grad = npgrad.randn(2, 3), npgrad.randn(3, 3)
    before = a.numpy().copy()
    with pytest.raises(ValueError, match="less than 100"):
        opt.step()
    np.testing.assert_array_equal(a.numpy(), before)
    assert not opt.state


def test_tensor_lr_is_accepted() -> None:
    a = npgrad.tensor(np.eye(2), requires_grad=True)
    b = npgrad.tensor(np.eye(2), requires_grad=True)
    opt_a, opt_b = Muon([a], lr=npgrad.tensor(0.5)), Muon([b], lr=0.5)
    for p, opt in ((a, opt_a), (b, opt_b)):
        p.grad = npgrad.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=npgrad.float64)
        opt.step()
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# ---- state dicts -----------------------------------------------------------------------------
def _continue(opt: Muon, params: list[Any], start: int, steps: int) -> None:
    for step in range(start, start + steps):
        for p, g in zip(params, grads_at([p.numpy() for p in params], step)):
            p.grad = None if g is None else npgrad.tensor(g.astype(p.dtype))
        opt.step()


@pytest.mark.parametrize("transport", ["direct", "deepcopy", "pickle"])
def test_state_dict_round_trip_resumes_exactly(transport: str) -> None:
    kwargs = {"lr": 0.05, "nesterov": False, "adjust_lr_fn": "match_rms_adamw"}
    _, opt = run_npgrad(kwargs, "float32", 4)
    params = [p for g in opt.param_groups for p in g["params"]]
    state = opt.state_dict()
    assert list(state["state"][0]) == ["momentum_buffer"]
    if transport == "deepcopy":
        state = copy.deepcopy(state)
    elif transport == "pickle":
        state = pickle.loads(pickle.dumps(state))
    fresh_params = [npgrad.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    fresh = Muon(groups(fresh_params, {}))
    fresh.load_state_dict(state)
    assert fresh.param_groups[0]["adjust_lr_fn"] == "match_rms_adamw"
    _continue(opt, params, 4, 4)
    _continue(fresh, fresh_params, 4, 4)
    for p, q in zip(params, fresh_params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_loading_a_buffer_of_the_wrong_shape_raises() -> None:
    _, opt = run_npgrad({}, "float64", 1)
    state = opt.state_dict()
    state["state"][1]["momentum_buffer"] = npgrad.zeros(4, 6)
    with pytest.raises(ValueError, match=r"state\[1\]\['momentum_buffer'\] has shape \(4, 6\)"):
        opt.load_state_dict(state)


# ---- parity with torch -----------------------------------------------------------------------
CASES = [
    {"lr": 0.02},
    {"lr": 0.02, "nesterov": False},
    {"lr": 0.05, "adjust_lr_fn": "original", "weight_decay": 0.3},
    {"lr": 0.05, "adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.0},
    {"lr": 0.01, "momentum": 0.3, "ns_steps": 3, "ns_coefficients": (2.0, -1.5, 0.5)},
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_trajectory_matches_torch(kwargs: dict[str, Any], dtype: str) -> None:
    theirs, topt = run_torch(kwargs, dtype, 10)
    ours, opt = run_npgrad(kwargs, dtype, 10)
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == y.dtype == np.dtype(dtype)
            np.testing.assert_allclose(x, y, **tol, err_msg=f"step {step}, parameter {i}")
    ours_sd, theirs_sd = opt.state_dict(), topt.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert ours_sd["state"].keys() == theirs_sd["state"].keys()
    for index, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][index]) == list(state)
        buf = ours_sd["state"][index]["momentum_buffer"].numpy()
        assert buf.dtype == np.dtype(dtype)
        np.testing.assert_allclose(buf, state["momentum_buffer"].numpy(), **tol)


@pytest.mark.torch
def test_a_torch_checkpoint_loads_and_continues_like_torch() -> None:
    torch = pytest.importorskip("torch")
    kwargs = {"lr": 0.03, "weight_decay": 0.2, "adjust_lr_fn": "match_rms_adamw"}
    _, topt = run_torch(kwargs, "float64", 5)
    tparams = [p for g in topt.param_groups for p in g["params"]]
    buffer = io.BytesIO()
    torch.save(topt.state_dict(), buffer)
    buffer.seek(0)
    converted = npgrad.load(buffer)
    params = [npgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    opt = optim.Muon(groups(params, {}))
    opt.load_state_dict(converted)
    assert opt.param_groups[1]["lr"] == 0.015
    for step in range(5, 10):
        for p, g in zip(tparams, grads_at([p.detach().numpy() for p in tparams], step)):
            p.grad = None if g is None else torch.from_numpy(g)
        topt.step()
    _continue(opt, params, 5, 5)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(3,), (2, 2, 2)])
def test_errors_match_torchs(shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="only supports 2D parameters"):
        torch.optim.Muon([torch.zeros(shape, requires_grad=True)])
    with pytest.raises(ValueError, match="only supports 2D parameters"):
        Muon([npgrad.zeros(*shape, requires_grad=True)])
    checks = [
        ({"lr": -1.0}, "(?i)(learning rate|lr)"),
        ({"momentum": -1.0}, "momentum"),
        ({"weight_decay": -1.0}, "weight.decay"),
        ({"adjust_lr_fn": "x"}, "(?i)adjust learning rate function"),
    ]
    for kwargs, match in checks:
        with pytest.raises(ValueError, match=match):
            torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)], **kwargs)
        with pytest.raises(ValueError, match=match):
            Muon([npgrad.zeros(2, 2, requires_grad=True)], **kwargs)
