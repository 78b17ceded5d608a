"""nn.utils.swa: AveragedModel (SWA/EMA averages, buffers, state_dict) and update_bn (batch-norm
statistics recomputed over a loader), their errors, and PyTorch parity."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import AveragedModel, update_bn
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)


def _set(param: Any, value: Any) -> None:
    with npgrad.no_grad():
        param.copy_(npgrad.tensor(np.asarray(value)))


def _linear(w: list[float], b: float, dtype: Any = npgrad.float32) -> nn.Linear:
    lin = nn.Linear(len(w), 1).to(dtype)
    _set(lin.weight, [w])
    _set(lin.bias, [b])
    return lin


def _mlp_bn() -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def _randomize(model: nn.Module, rng: np.random.Generator) -> None:
    for p in model.parameters():
        _set(p, rng.standard_normal(p.shape).astype(p.numpy().dtype))


def _ema(decay: float) -> Any:
    def fn(avg: Any, cur: Any, n: Any) -> Any:
        return decay * avg + (1 - decay) * cur

    return fn


# ---- AveragedModel ---------------------------------------------------------------------------
def test_first_update_copies_then_running_mean() -> None:
    model = _linear([0.0, 0.0], 0.0)
    swa = AveragedModel(model)
    assert swa.module is not model and swa.module.weight is not model.weight
    assert swa.n_averaged.dtype == npgrad.int64 and swa.n_averaged.shape == ()
    assert int(swa.n_averaged) == 0
    history = [([1.0, -2.0], 0.5), ([3.0, 0.0], -1.5), ([8.0, 4.0], 4.0)]
    for k, (w, b) in enumerate(history, start=1):
        _set(model.weight, [w])
        _set(model.bias, [b])
        swa.update_parameters(model)
        assert int(swa.n_averaged) == k
        ws = np.array([h[0] for h in history[:k]], dtype=np.float32)
        assert_close(swa.module.weight, ws.mean(axis=0, keepdims=True))
        assert_close(swa.module.bias, np.array([np.mean([h[1] for h in history[:k]])], "f4"))
    assert swa.module.weight.dtype == npgrad.float32
    # the average is a leaf that still trains, with no graph from the updates
    assert swa.module.weight.requires_grad and swa.module.weight.grad_fn is None
    # the model itself was not touched
    assert_close(model.weight, np.array([[8.0, 4.0]], "f4"))


def test_copy_is_independent_of_the_model_until_updated() -> None:
    model = _linear([1.0, 2.0], 3.0, npgrad.float64)
    swa = AveragedModel(model)
    _set(model.weight, [[5.0, 5.0]])
    assert_close(swa.module.weight, np.array([[1.0, 2.0]]))


def test_forward_calls_the_averaged_copy_with_args_and_kwargs() -> None:
    class Affine(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(npgrad.tensor([2.0]))

        def forward(self, x: Any, *, shift: float = 0.0) -> Any:
            return x * self.w + shift

    swa = AveragedModel(Affine())
    out = swa(npgrad.tensor([1.0, 3.0]), shift=1.0)
    assert_close(out, np.array([3.0, 7.0], "f4"))
    out.sum().backward()
    assert_close(swa.module.w.grad, np.array([4.0], "f4"))


def test_avg_fn_gets_the_tensors_and_n_averaged() -> None:
    calls: list[tuple[Any, ...]] = []

    def avg_fn(avg: Any, cur: Any, n: Any) -> Any:
        calls.append((avg.shape, cur.shape, n.dtype, n.shape, int(n)))
        return avg + 10 * cur

    model = _linear([1.0, 2.0], 0.5)
    swa = AveragedModel(model, avg_fn=avg_fn)
    swa.update_parameters(model)
    assert calls == []  # the first update copies
    swa.update_parameters(model)
    assert calls == [((1, 2), (1, 2), npgrad.int64, (), 1), ((1,), (1,), npgrad.int64, (), 1)]
    assert_close(swa.module.weight, np.array([[11.0, 22.0]], "f4"))
    assert_close(swa.module.bias, np.array([5.5], "f4"))


@pytest.mark.parametrize("use_buffers", [False, True])
def test_buffers_follow_the_model_or_are_averaged(use_buffers: bool) -> None:
    model = _mlp_bn()
    swa = AveragedModel(model, use_buffers=use_buffers)
    means = []
    for _ in range(3):
        model(npgrad.tensor(RNG.standard_normal((5, 3)).astype("f4")))  # train-mode statistics
        means.append(model[1].running_mean.numpy().copy())
        swa.update_parameters(model)
    bn = swa.module[1]
    if use_buffers:
        assert_close(bn.running_mean, np.mean(means, axis=0), rtol=1e-6, atol=1e-7)
        # the int64 counter is averaged too, each mean truncated: 1, trunc(1 + 1/2) = 1,
        # trunc(1 + 2/3) = 1 (PyTorch's copy back into int64)
        assert bn.num_batches_tracked.dtype == npgrad.int64 and int(bn.num_batches_tracked) == 1
    else:
        assert_close(bn.running_mean, means[-1])
        assert int(bn.num_batches_tracked) == 3


def test_multi_avg_fn_is_called_once_per_dtype_in_place() -> None:
    calls: list[tuple[str, int, int]] = []

    def multi(avgs: list[Any], curs: list[Any], n: Any) -> None:
        calls.append((str(avgs[0].dtype), len(avgs), int(n)))
        for a, c in zip(avgs, curs):
            a.copy_(a * 0.5 + c * 0.5)

    model = _mlp_bn()
    swa = AveragedModel(model, multi_avg_fn=multi, use_buffers=True)
    swa.update_parameters(model)
    model(npgrad.tensor(RNG.standard_normal((4, 3)).astype("f4")))
    _randomize(model, RNG)
    expected = (model[0].weight.numpy() + swa.module[0].weight.numpy()) / 2
    swa.update_parameters(model)
    # 6 parameters + running_mean/var in one float32 call, num_batches_tracked in an int64 one
    assert calls == [("float32", 8, 1), ("int64", 1, 1)]
    assert_close(swa.module[0].weight, expected)
    assert int(swa.module[1].num_batches_tracked) == 0  # (0 + 1) / 2 truncated


def test_with_npgrad_optim_averaging_functions() -> None:
    swa_utils = pytest.importorskip("npgrad.optim.swa_utils")
    model = _linear([1.0, 1.0], 0.0, npgrad.float64)
    ema = AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.75))
    ema1 = AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.75))
    swa = AveragedModel(model, multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    for w in (1.0, 5.0, 9.0):
        _set(model.weight, [[w, -w]])
        for m in (ema, ema1, swa):
            m.update_parameters(model)
    expected_ema = (1.0 * 0.75 + 5.0 * 0.25) * 0.75 + 9.0 * 0.25
    assert_close(ema.module.weight, np.array([[expected_ema, -expected_ema]]))
    assert_close(ema1.module.weight, ema.module.weight)
    assert_close(swa.module.weight, np.array([[5.0, -5.0]]))


def test_state_dict_keys_and_round_trip() -> None:
    model = _mlp_bn()
    swa = AveragedModel(model, use_buffers=True)
    swa.update_parameters(model)
    swa.update_parameters(model)
    sd = swa.state_dict()
    assert list(sd)[0] == "n_averaged"
    assert set(sd) == {"n_averaged"} | {f"module.{k}" for k in model.state_dict()}
    fresh = AveragedModel(_mlp_bn())
    fresh.load_state_dict(sd, strict=True)
    assert int(fresh.n_averaged) == 2
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy())


def test_deepcopy_and_cpu_device() -> None:
    model = _linear([1.0, 2.0], 3.0)
    swa = AveragedModel(model, device="cpu", avg_fn=_ema(0.5))
    clone = copy.deepcopy(swa)
    assert clone.module.weight is not swa.module.weight and clone.avg_fn is swa.avg_fn
    AveragedModel(model, device=npgrad.device("cpu"))


# ---- AveragedModel errors ---------------------------------------------------------------------
def test_constructor_errors() -> None:
    model = _linear([1.0], 0.0)
    with pytest.raises(TypeError, match="AveragedModel: model must be a Module, got dict"):
        AveragedModel({"weight": npgrad.ones(1)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only one of avg_fn and multi_avg_fn"):
        AveragedModel(model, avg_fn=_ema(0.9), multi_avg_fn=lambda a, c, n: None)
    with pytest.raises(TypeError, match="avg_fn must be callable or None, got float"):
        AveragedModel(model, avg_fn=0.9)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="multi_avg_fn must be callable or None, got str"):
        AveragedModel(model, multi_avg_fn="ema")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="use_buffers must be a bool, got str"):
        AveragedModel(model, use_buffers="yes")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="AveragedModel: npgrad computes on the CPU only"):
        AveragedModel(model, device="cuda:0")


def _snapshot(swa: AveragedModel) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in swa.state_dict().items()}


def _assert_unchanged(swa: AveragedModel, before: dict[str, np.ndarray]) -> None:
    for k, v in swa.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k], err_msg=k)


def test_update_errors_leave_the_average_unchanged() -> None:
    model = _mlp_bn()
    swa = AveragedModel(model)
    swa.update_parameters(model)
    before = _snapshot(swa)
    with pytest.raises(TypeError, match="update_parameters: model must be a Module, got list"):
        swa.update_parameters([npgrad.ones(1)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="averaged model has 6 parameters, the model 4"):
        swa.update_parameters(nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2)))
    other = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))
    with pytest.raises(ValueError, match=r"averaged '0.weight' has shape \(4, 3\) but the"):
        swa.update_parameters(other)
    with pytest.raises(ValueError, match="averaged model has 3 buffers, the model 0"):
        swa.update_parameters(
            nn.Sequential(
                nn.Linear(3, 4),
                nn.BatchNorm1d(4, track_running_stats=False),
                nn.ReLU(),
                nn.Linear(4, 2),
            )
        )
    _assert_unchanged(swa, before)


def test_avg_fn_errors_leave_the_average_unchanged() -> None:
    model = _linear([1.0, 2.0], 0.0)
    bad_type = AveragedModel(model, avg_fn=lambda a, c, n: a.numpy())
    bad_shape = AveragedModel(model, avg_fn=lambda a, c, n: a.sum())
    for swa, error, match in (
        (bad_type, TypeError, "avg_fn must return a Tensor, got ndarray for tensor 0"),
        (bad_shape, ValueError, r"avg_fn returned shape \(\) for tensor 0 of shape \(1, 2\)"),
    ):
        swa.update_parameters(model)
        before = _snapshot(swa)
        _set(model.weight, [[7.0, 7.0]])
        with pytest.raises(error, match=match):
            swa.update_parameters(model)
        _assert_unchanged(swa, before)


def test_multi_avg_fn_error_puts_every_group_back() -> None:
    def multi(avgs: list[Any], curs: list[Any], n: Any) -> None:
        for a, c in zip(avgs, curs):
            a.copy_(c)
        if avgs[0].dtype == npgrad.int64:
            raise RuntimeError("no integers")

    model = _mlp_bn()
    swa = AveragedModel(model, multi_avg_fn=multi, use_buffers=True)
    swa.update_parameters(model)
    before = _snapshot(swa)
    _randomize(model, RNG)
    model(npgrad.tensor(RNG.standard_normal((4, 3)).astype("f4")))
    with pytest.raises(RuntimeError, match="no integers"):
        swa.update_parameters(model)
    _assert_unchanged(swa, before)


def test_swa_multi_avg_fn_refuses_int_buffers_atomically() -> None:
    swa_utils = pytest.importorskip("npgrad.optim.swa_utils")
    model = _mlp_bn()
    swa = AveragedModel(model, multi_avg_fn=swa_utils.get_swa_multi_avg_fn(), use_buffers=True)
    swa.update_parameters(model)
    _randomize(model, RNG)
    before = _snapshot(swa)
    with pytest.raises(RuntimeError, match="can't average a tensor of dtype int64"):
        swa.update_parameters(model)
    _assert_unchanged(swa, before)


# ---- update_bn ---------------------------------------------------------------------------------
def test_update_bn_cumulative_statistics_and_restores_state() -> None:
    bn = nn.BatchNorm1d(3, momentum=0.3).double()
    model = nn.Sequential(nn.Identity(), bn).eval()
    batches = [RNG.standard_normal((n, 3)) * 2 + 1 for n in (4, 6, 5)]
    loader = [
        (npgrad.tensor(batches[0]), npgrad.zeros(4)),
        [npgrad.tensor(batches[1])],
        npgrad.tensor(batches[2]),
    ]
    update_bn(loader, model)
    assert_close(bn.running_mean, np.mean([b.mean(axis=0) for b in batches], axis=0))
    assert_close(bn.running_var, np.mean([b.var(axis=0, ddof=1) for b in batches], axis=0))
    assert int(bn.num_batches_tracked) == 3
    assert bn.momentum == 0.3 and not model.training and not bn.training


def test_update_bn_resets_previous_statistics_and_keeps_train_mode() -> None:
    bn = nn.BatchNorm2d(2)
    model = nn.Sequential(nn.Conv2d(1, 2, 2), bn)
    for _ in range(3):
        model(npgrad.tensor(RNG.standard_normal((2, 1, 4, 4)).astype("f4")))
    x = RNG.standard_normal((3, 1, 4, 4)).astype("f4")
    update_bn([npgrad.tensor(x)], model)
    with npgrad.no_grad():
        y = model[0](npgrad.tensor(x)).numpy()
    assert_close(bn.running_mean, y.mean(axis=(0, 2, 3)))
    assert_close(bn.running_var, y.var(axis=(0, 2, 3), ddof=1), rtol=1e-5, atol=1e-6)
    assert int(bn.num_batches_tracked) == 1 and model.training
    assert bn.running_mean.dtype == npgrad.float32


def test_update_bn_without_batch_norm_does_not_read_the_loader() -> None:
    class Unreadable:
        def __iter__(self) -> Any:
            raise AssertionError("the loader was read")

    model = nn.Sequential(nn.Linear(2, 2), nn.LayerNorm(2))
    update_bn(Unreadable(), model)  # type: ignore[arg-type]


def test_update_bn_on_an_averaged_model() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    swa = AveragedModel(model)
    for _ in range(2):
        _randomize(model, RNG)
        swa.update_parameters(model)
    x = RNG.standard_normal((6, 3)).astype("f4")
    update_bn([npgrad.tensor(x)], swa)
    with npgrad.no_grad():
        h = swa.module[0](npgrad.tensor(x)).numpy()
    assert_close(swa.module[1].running_mean, h.mean(axis=0), rtol=1e-5, atol=1e-6)
    assert int(swa.module[1].num_batches_tracked) == 1
    assert int(model[1].num_batches_tracked) == 0  # the trained model is not touched


def test_update_bn_errors() -> None:
    bn = nn.BatchNorm1d(2, momentum=0.2)
    model = nn.Sequential(bn).eval()
    mean = RNG.standard_normal(2).astype("f4")
    bn.running_mean.numpy()[...] = mean
    with pytest.raises(TypeError, match="update_bn: model must be a Module, got function"):
        update_bn([npgrad.ones(2, 2)], lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="update_bn: npgrad computes on the CPU only"):
        update_bn([npgrad.ones(2, 2)], model, device="cuda")
    with pytest.raises(TypeError, match="loader must be an iterable of batches, got int"):
        update_bn(3, model)  # type: ignore[arg-type]
    assert_close(bn.running_mean, mean)  # refused before the statistics were reset
    with pytest.raises(ValueError, match="update_bn: batch 1 is an empty tuple"):
        update_bn([npgrad.ones(2, 2), ()], model)
    assert bn.momentum == 0.2 and not model.training
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        update_bn([npgrad.ones(2)], model)
    assert bn.momentum == 0.2 and not model.training
    update_bn([npgrad.ones(2, 2)], model, device="cpu")
    assert_close(bn.running_mean, np.ones(2, "f4"))


# ---- PyTorch parity -----------------------------------------------------------------------------
def _torch_models(torch: Any) -> tuple[Any, nn.Module]:
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3),
        torch.nn.BatchNorm2d(3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(12, 2),
    )
    ours = nn.Sequential(
        nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2)
    )
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return theirs, ours


def _avg_fns(kind: str, torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    ours_utils = pytest.importorskip("npgrad.optim.swa_utils")
    theirs_utils = torch.optim.swa_utils
    if kind == "swa":
        return {}, {}
    name, arg = {
        "ema": ("avg_fn", "get_ema_avg_fn"),
        "ema_multi": ("multi_avg_fn", "get_ema_multi_avg_fn"),
        "swa_fn": ("avg_fn", "get_swa_avg_fn"),
        "swa_multi": ("multi_avg_fn", "get_swa_multi_avg_fn"),
    }[kind]
    params = (0.8,) if "ema" in kind else ()
    return (
        {name: getattr(theirs_utils, arg)(*params)},
        {name: getattr(ours_utils, arg)(*params)},
    )


@pytest.mark.torch
@pytest.mark.parametrize(
    ("kind", "use_buffers"),
    [
        ("swa", False),
        ("swa", True),
        ("ema", False),
        ("ema", True),
        ("ema_multi", False),
        ("ema_multi", True),
        ("swa_fn", True),
        ("swa_multi", False),
    ],
)
def test_averaged_model_matches_torch(kind: str, use_buffers: bool) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = _torch_models(torch)
    their_fns, our_fns = _avg_fns(kind, torch)
    their_avg = torch.optim.swa_utils.AveragedModel(theirs, use_buffers=use_buffers, **their_fns)
    our_avg = AveragedModel(ours, use_buffers=use_buffers, **our_fns)
    rng = np.random.default_rng(3)
    for _ in range(4):
        for tp, p in zip(theirs.parameters(), ours.parameters()):
            value = rng.standard_normal(p.shape).astype("f4")
            with torch.no_grad():
                tp.copy_(torch.from_numpy(value))
            _set(p, value)
        x = rng.standard_normal((4, 2, 4, 4)).astype("f4")
        theirs(torch.from_numpy(x))  # train mode: the batch-norm buffers move
        ours(npgrad.tensor(x))
        their_avg.update_parameters(theirs)
        our_avg.update_parameters(ours)
    their_sd, our_sd = their_avg.state_dict(), our_avg.state_dict()
    assert list(our_sd) == list(their_sd)
    for k, v in their_sd.items():
        assert our_sd[k].dtype == npgrad.tensor(v.numpy()).dtype, k
        assert_close(our_sd[k], v.numpy(), rtol=1e-6, atol=1e-6, msg=k)
    x = rng.standard_normal((3, 2, 4, 4)).astype("f4")
    their_avg.eval()
    our_avg.eval()
    with torch.no_grad():
        expected = their_avg(torch.from_numpy(x)).numpy()
    assert_close(our_avg(npgrad.tensor(x)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.torch
def test_torch_state_dict_loads_strict() -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = _torch_models(torch)
    their_avg = torch.optim.swa_utils.AveragedModel(theirs, use_buffers=True)
    for _ in range(3):
        their_avg.update_parameters(theirs)
    our_avg = AveragedModel(ours)
    our_avg.load_state_dict({k: v.numpy() for k, v in their_avg.state_dict().items()}, strict=True)
    assert int(our_avg.n_averaged) == 3 and our_avg.n_averaged.dtype == npgrad.int64
    # and back: npgrad's state_dict loads strict into a fresh torch AveragedModel
    back = torch.optim.swa_utils.AveragedModel(_torch_models(torch)[0])
    back.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in our_avg.state_dict().items()}
    )
    for k, v in their_avg.state_dict().items():
        assert torch.equal(back.state_dict()[k], v), k


@pytest.mark.torch
@pytest.mark.parametrize("training", [False, True])
def test_update_bn_matches_torch(training: bool) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = _torch_models(torch)
    theirs.train(training)
    ours.train(training)
    rng = np.random.default_rng(5)
    batches = [rng.standard_normal((n, 2, 4, 4)).astype("f4") * 3 - 1 for n in (2, 5, 3)]
    labels = np.zeros(2, dtype=np.int64)
    torch.optim.swa_utils.update_bn(
        [
            (torch.from_numpy(batches[0]), torch.from_numpy(labels)),
            torch.from_numpy(batches[1]),
            [torch.from_numpy(batches[2])],
        ],
        theirs,
    )
    update_bn(
        [
            (npgrad.tensor(batches[0]), npgrad.tensor(labels)),
            npgrad.tensor(batches[1]),
            [npgrad.tensor(batches[2])],
        ],
        ours,
    )
    for k, v in theirs.state_dict().items():
        assert_close(ours.state_dict()[k], v.numpy(), rtol=1e-5, atol=1e-6, msg=k)
    assert ours.training == theirs.training == training
    assert ours[1].momentum == theirs[1].momentum == 0.1
