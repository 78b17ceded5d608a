"""End-to-end training trajectories against PyTorch: the same model, data and recipe in both.

Each test builds one model twice from the same code, written once against a library namespace
``lib`` (``torch`` or ``npgrad``: the APIs match name for name), copies PyTorch's initial
``state_dict`` into npgrad's with ``load_state_dict(..., strict=True)``, trains both in float64 on
the same batches, and compares the loss at every step, then every parameter and buffer, the
optimizer's ``state_dict`` and the scheduler's state at the end.

Tolerances: both libraries compute the same float64 formulas, but BLAS blocking, the order of
reductions (conv as im2col + GEMM, softmax and norm sums) differ, so single results differ by a
few ulps; a few ulps of relative change per step, amplified by ~10-30 optimizer steps, stay far
below ``RTOL = 1e-9``. ``ATOL`` covers entries that are (nearly) zero, where a relative bound means
nothing: a ReLU's or BatchNorm's gradient that cancels to ~1e-17 in one library and exactly 0 in
the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import npgrad  # noqa: E402
import npgrad.data  # noqa: E402
import npgrad.nn  # noqa: E402
import npgrad.nn.functional  # noqa: E402
import npgrad.nn.utils.rnn  # noqa: E402
import npgrad.optim  # noqa: E402
import npgrad.optim.lr_scheduler  # noqa: E402

pytestmark = pytest.mark.torch

RTOL = 1e-9
ATOL = 1e-12
LIBS = (torch, npgrad)

# Keys PyTorch's param groups carry that npgrad deliberately has no counterpart for (docs/
# differences.md, "No implementation switches"), and npgrad's own SGD key (`l1_penalty`).
_TORCH_ONLY_GROUP_KEYS = {"foreach", "fused", "capturable", "differentiable"}
_NPGRAD_ONLY_GROUP_KEYS = {"l1_penalty"}


@pytest.fixture(autouse=True)
def _float64_everywhere() -> Iterator[None]:
    """Both libraries build layers and parse literals in float64 for the test's duration,
    from PyTorch's generator seeded (npgrad's weights are copied from PyTorch's)."""
    torch_before, npgrad_before = torch.get_default_dtype(), npgrad.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    npgrad.set_default_dtype(npgrad.float64)
    # the same initial weights on every run, whatever ran before (torch draws them)
    torch.manual_seed(0)  # (the tests pass for other seeds too; this one makes runs repeat)
    try:
        yield
    finally:
        torch.set_default_dtype(torch_before)
        npgrad.set_default_dtype(npgrad_before)


# ---- conversion and comparison helpers ---------------------------------------------------------


def _np(value: Any) -> np.ndarray:
    """A torch or npgrad tensor (or a number) as a NumPy array copy."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, npgrad.Tensor):
        return value.detach().numpy().copy()
    return np.asarray(value)


def _np_nested(value: Any) -> np.ndarray:
    """A list of tensors or numbers (lrs, LBFGS history) as one array."""
    if isinstance(value, (list, tuple)):
        return np.asarray([_np(v) for v in value])
    return _np(value)


def _to_npgrad(obj: Any) -> Any:
    """A torch object graph (a state dict) with every tensor replaced by an npgrad tensor."""
    if isinstance(obj, torch.Tensor):
        return npgrad.from_numpy(_np(obj))
    if isinstance(obj, dict):  # dict, OrderedDict, Counter: keep the mapping's type
        converted = obj.copy()
        for key, value in obj.items():
            converted[key] = _to_npgrad(value)
        return converted
    if isinstance(obj, list):
        return [_to_npgrad(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_to_npgrad(v) for v in obj)
    return obj


def _from(lib: Any, array: np.ndarray) -> Any:
    """A float64/int64 array as a tensor of ``lib`` (a copy, so neither side aliases the other)."""
    return lib.from_numpy(np.array(array, copy=True))


def _copy_weights(torch_model: Any, npgrad_model: Any) -> None:
    npgrad_model.load_state_dict(_to_npgrad(torch_model.state_dict()), strict=True)


def _assert_close(
    actual: Any, expected: Any, what: str, rtol: float = RTOL, atol: float = ATOL
) -> None:
    np.testing.assert_allclose(_np(actual), _np(expected), rtol=rtol, atol=atol, err_msg=what)


def _assert_models_match(
    torch_model: Any, npgrad_model: Any, rtol: float = RTOL, atol: float = ATOL
) -> None:
    expected, actual = torch_model.state_dict(), npgrad_model.state_dict()
    assert list(actual) == list(expected)
    for name, value in expected.items():
        got = actual[name]
        assert _np(got).dtype == _np(value).dtype, name
        assert tuple(got.shape) == tuple(value.shape), name
        _assert_close(got, value, f"state_dict[{name!r}]", rtol, atol)


def _assert_losses_match(torch_losses: list[float], npgrad_losses: list[float], rtol=RTOL) -> None:
    assert len(npgrad_losses) == len(torch_losses)
    for step, (got, expected) in enumerate(zip(npgrad_losses, torch_losses)):
        assert math.isclose(got, expected, rel_tol=rtol, abs_tol=ATOL), (step, got, expected)


def _assert_optimizers_match(
    torch_opt: Any, npgrad_opt: Any, rtol: float = RTOL, atol: float = ATOL
) -> None:
    expected, actual = torch_opt.state_dict(), npgrad_opt.state_dict()
    assert len(actual["param_groups"]) == len(expected["param_groups"])
    for t_group, n_group in zip(expected["param_groups"], actual["param_groups"]):
        # (a group loaded from the other library's state dict keeps its keys, as PyTorch does)
        t_keys = set(t_group) - _TORCH_ONLY_GROUP_KEYS - _NPGRAD_ONLY_GROUP_KEYS
        n_keys = set(n_group) - _TORCH_ONLY_GROUP_KEYS - _NPGRAD_ONLY_GROUP_KEYS
        assert n_keys == t_keys
        for key in t_keys:
            if isinstance(t_group[key], torch.Tensor):  # a Tensor lr
                assert isinstance(n_group[key], npgrad.Tensor), key
                _assert_close(n_group[key], t_group[key], f"param group {key!r}", rtol)
            elif isinstance(t_group[key], float):
                assert math.isclose(n_group[key], t_group[key], rel_tol=rtol), key
            else:
                assert n_group[key] == t_group[key], key
    assert sorted(actual["state"]) == sorted(expected["state"])
    for index, t_state in expected["state"].items():
        n_state = actual["state"][index]
        assert set(n_state) == set(t_state), index
        for key, value in t_state.items():
            _assert_close(n_state[key], value, f"optimizer state[{index}][{key!r}]", rtol, atol)


def _assert_schedulers_match(torch_sched: Any, npgrad_sched: Any) -> None:
    expected, actual = torch_sched.state_dict(), npgrad_sched.state_dict()
    for key in ("last_epoch", "_step_count"):
        if key in expected:
            assert actual[key] == expected[key], key
    if "base_lrs" in expected:  # floats, or 0-d tensors for a Tensor lr
        np.testing.assert_allclose(
            _np_nested(actual["base_lrs"]), _np_nested(expected["base_lrs"]), rtol=RTOL, atol=0
        )
    np.testing.assert_allclose(
        _np_nested(npgrad_sched.get_last_lr()),
        _np_nested(torch_sched.get_last_lr()),
        rtol=RTOL,
        atol=0,
    )


def _train_both(
    build: Callable[[Any], tuple[Any, Any, Any]],
    step: Callable[[Any, Any, Any, Any, int], float],
    steps: int,
) -> tuple[tuple[Any, Any, Any, list[float]], tuple[Any, Any, Any, list[float]]]:
    """Build (model, optimizer, scheduler) with each library, copy torch's weights, train both.

    ``step(lib, model, optimizer, scheduler, i)`` runs training step ``i`` and returns the loss.
    """
    runs = []
    for lib in LIBS:
        model, optimizer, scheduler = build(lib)
        if lib is npgrad:
            _copy_weights(runs[0][0], model)
        runs.append((model, optimizer, scheduler, []))
    for i in range(steps):
        for lib, (model, optimizer, scheduler, losses) in zip(LIBS, runs):
            losses.append(step(lib, model, optimizer, scheduler, i))
    return runs[0], runs[1]


# ---- a CNN: conv / batch norm / pooling + SGD(nesterov) + MultiStepLR / StepLR -------------------


def _cnn(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=1),
        nn.BatchNorm2d(6, momentum=0.2),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d((2, 2)),
        nn.Flatten(),
        nn.Linear(24, 5),
    )


@pytest.mark.parametrize(
    ("sgd", "schedule"),
    [
        ({"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}, "multistep"),
        ({"momentum": 0.8, "dampening": 0.1, "weight_decay": 5e-3}, "step"),
    ],
)
def test_cnn_sgd_with_step_schedules_matches_torch(sgd, schedule):
    rng = np.random.default_rng(0)
    images = rng.standard_normal((12, 6, 1, 10, 10))
    labels = rng.integers(0, 5, (12, 6))
    class_weight = rng.uniform(0.5, 2.0, 5)
    eval_images = rng.standard_normal((4, 1, 10, 10))

    def build(lib):
        model = _cnn(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, **sgd)
        if schedule == "multistep":
            scheduler = lib.optim.lr_scheduler.MultiStepLR(optimizer, [3, 7], gamma=0.5)
        else:
            scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.3)
        return model, optimizer, scheduler

    def step(lib, model, optimizer, scheduler, i):
        model.train()
        optimizer.zero_grad()
        logits = model(_from(lib, images[i]))
        loss = lib.nn.functional.cross_entropy(
            logits, _from(lib, labels[i]), weight=_from(lib, class_weight), label_smoothing=0.1
        )
        loss.backward()
        optimizer.step()
        scheduler.step()
        # an evaluation pass every few steps: running statistics, no update of them
        if i % 4 == 3:
            model.eval()
            with lib.no_grad():
                model(_from(lib, eval_images))
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, 12
    )
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)
    t_model.eval()
    n_model.eval()
    with torch.no_grad():
        expected = t_model(_from(torch, eval_images))
    _assert_close(n_model(_from(npgrad, eval_images)), expected, "eval-mode outputs")


# ---- a recurrent classifier on a PackedSequence + Adam(amsgrad) + clipping + warm restarts -------


def _rnn_classifier(lib: Any, cell: str, vocab: int, classes: int) -> Any:
    nn = lib.nn
    rnn_utils = lib.nn.utils.rnn

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, 6, padding_idx=0)
            rnn_cls = nn.LSTM if cell == "lstm" else nn.GRU
            self.rnn = rnn_cls(6, 5, num_layers=2, batch_first=True, bidirectional=True)
            self.head = nn.Linear(10, classes)

        def forward(self, tokens, lengths):
            packed = rnn_utils.pack_padded_sequence(
                self.embed(tokens), lengths, batch_first=True, enforce_sorted=False
            )
            output, state = self.rnn(packed)
            h_n = state[0] if cell == "lstm" else state
            # the last layer's final states, both directions: the original batch order
            final = lib.cat([h_n[-2], h_n[-1]], dim=1)
            # and the padded outputs, averaged over each sequence's true length
            padded, out_lengths = rnn_utils.pad_packed_sequence(output, batch_first=True)
            mean = padded.sum(dim=1) / out_lengths.unsqueeze(1).to(padded.dtype)
            return self.head(final + mean)

    return Classifier()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_packed_rnn_adam_amsgrad_clipping_warm_restarts_matches_torch(cell):
    rng = np.random.default_rng(1)
    vocab, classes, batch, max_len, steps = 11, 3, 5, 7, 14
    lengths = rng.integers(1, max_len + 1, (steps, batch))
    tokens = rng.integers(1, vocab, (steps, batch, max_len))
    tokens[np.arange(max_len) >= lengths[..., None]] = 0  # padding_idx beyond each length
    labels = rng.integers(0, classes, (steps, batch))

    def build(lib):
        model = _rnn_classifier(lib, cell, vocab, classes)
        optimizer = lib.optim.Adam(
            model.parameters(), lr=0.02, betas=(0.8, 0.95), weight_decay=1e-3, amsgrad=True
        )
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            optimizer, T_0=3, T_mult=2, eta_min=1e-3
        )
        return model, optimizer, scheduler

    norms = {torch: [], npgrad: []}

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        logits = model(_from(lib, tokens[i]), _from(lib, lengths[i]))
        loss = lib.nn.functional.cross_entropy(logits, _from(lib, labels[i]))
        loss.backward()
        norms[lib].append(float(lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)))
        optimizer.step()
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, steps
    )
    _assert_losses_match(t_losses, n_losses)
    np.testing.assert_allclose(norms[npgrad], norms[torch], rtol=RTOL)
    assert max(norms[torch]) > 0.5  # clipping did act
    _assert_models_match(t_model, n_model)
    # the padding row's gradient is zero: Adam's weight decay alone moves it, the same in both
    _assert_close(n_model.embed.weight[0], t_model.embed.weight[0], "padding row")
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


# ---- a TransformerEncoder + AdamW + OneCycleLR / LambdaLR / SequentialLR / ChainedScheduler ------


def _encoder_classifier(lib: Any, norm_first: bool) -> Any:
    nn = lib.nn

    class EncoderClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(3, 8)
            layer = nn.TransformerEncoderLayer(
                d_model=8,
                nhead=2,
                dim_feedforward=16,
                dropout=0.0,
                activation="gelu",
                batch_first=True,
                norm_first=norm_first,
            )
            kwargs = {"enable_nested_tensor": False} if lib is torch else {}
            self.encoder = nn.TransformerEncoder(
                layer, num_layers=2, norm=nn.LayerNorm(8), **kwargs
            )
            self.head = nn.Sequential(nn.GELU(approximate="tanh"), nn.Linear(8, 2))

        def forward(self, x, padding_mask):
            hidden = self.encoder(self.proj(x), src_key_padding_mask=padding_mask)
            keep = (~padding_mask).unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * keep).sum(dim=1) / keep.sum(dim=1)
            return self.head(pooled)

    return EncoderClassifier()


def _lambda_schedule(lib, optimizer, steps):
    return lib.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 1.0 / (1.0 + 0.3 * i))


def _one_cycle(lib, optimizer, steps):
    return lib.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.05, total_steps=steps, pct_start=0.3, anneal_strategy="cos"
    )


def _one_cycle_linear_three_phase(lib, optimizer, steps):
    return lib.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.04, total_steps=steps, anneal_strategy="linear", three_phase=True
    )


def _sequential(lib, optimizer, steps):
    sched = lib.optim.lr_scheduler
    warmup = sched.LinearLR(optimizer, start_factor=0.2, total_iters=4)
    decay = sched.ExponentialLR(optimizer, gamma=0.85)
    return sched.SequentialLR(optimizer, [warmup, decay], milestones=[4])


def _chained(lib, optimizer, steps):
    sched = lib.optim.lr_scheduler
    return sched.ChainedScheduler(
        [
            sched.ConstantLR(optimizer, factor=0.5, total_iters=3),
            sched.ExponentialLR(optimizer, 0.9),
        ]
    )


@pytest.mark.parametrize(
    ("norm_first", "make_scheduler"),
    [
        (False, _one_cycle),
        (True, _one_cycle_linear_three_phase),
        (True, _lambda_schedule),
        (False, _sequential),
        (True, _chained),
    ],
)
def test_transformer_encoder_adamw_schedules_match_torch(norm_first, make_scheduler):
    rng = np.random.default_rng(2)
    steps, batch, length = 8, 4, 6
    inputs = rng.standard_normal((steps, batch, length, 3))
    lengths = rng.integers(2, length + 1, (steps, batch))
    masks = np.arange(length) >= lengths[..., None]  # True = padding, as PyTorch's masks
    labels = rng.integers(0, 2, (steps, batch))

    def build(lib):
        model = _encoder_classifier(lib, norm_first)
        optimizer = lib.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.05)
        return model, optimizer, make_scheduler(lib, optimizer, steps)

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        logits = model(_from(lib, inputs[i]), _from(lib, masks[i]))
        loss = lib.nn.functional.cross_entropy(logits, _from(lib, labels[i]))
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, steps
    )
    _assert_losses_match(t_losses, n_losses)
    # The key projection's bias has an exactly zero gradient (softmax ignores a shift shared by
    # all keys), so both libraries feed AdamW rounding noise of ~1e-17 there, which its
    # normalisation turns into steps of ~lr * 1e-9: those entries agree to ~1e-11 absolute only.
    _assert_models_match(t_model, n_model, atol=1e-10)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


# ---- an MLP with parameter groups (one frozen), many optimizers, ReduceLROnPlateau, accumulation --


def _two_head_mlp(lib: Any) -> Any:
    nn = lib.nn

    class TwoHeadMLP(nn.Module):
        """A trunk, a main head, and an auxiliary head used on even steps only."""

        def __init__(self) -> None:
            super().__init__()
            self.frozen = nn.Linear(4, 6)  # a frozen feature layer
            self.trunk = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.SiLU())
            self.head = nn.Linear(8, 3)
            self.aux = nn.Linear(8, 1)
            self.frozen.requires_grad_(False)

        def forward(self, x, use_aux):
            features = self.trunk(lib.relu(self.frozen(x)))
            out = self.head(features)
            if use_aux:
                out = out + self.aux(features)
            return out

    return TwoHeadMLP()


_GROUP_OPTIMIZERS = {
    "RMSprop-centered": ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True}),
    "RMSprop-plain": ("RMSprop", {"lr": 0.01, "eps": 1e-6}),
    "Adagrad": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    "NAdam": ("NAdam", {"lr": 0.02, "momentum_decay": 0.004}),
    "NAdam-decoupled": ("NAdam", {"lr": 0.02, "decoupled_weight_decay": True}),
    "RAdam": ("RAdam", {"lr": 0.03}),
    "RAdam-decoupled": ("RAdam", {"lr": 0.03, "decoupled_weight_decay": True}),
    "Adamax": ("Adamax", {"lr": 0.02, "betas": (0.85, 0.99)}),
    "Adam-maximize": ("Adam", {"lr": 0.01, "maximize": True}),
    "SGD": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "Adadelta": ("Adadelta", {"lr": 0.5, "rho": 0.8}),
    "Rprop": ("Rprop", {"lr": 0.01, "etas": (0.4, 1.3), "step_sizes": (1e-5, 0.5)}),
    "ASGD": ("ASGD", {"lr": 0.05, "lambd": 1e-3, "t0": 3}),
}


@pytest.mark.parametrize("set_to_none", [True, False])
@pytest.mark.parametrize("name", list(_GROUP_OPTIMIZERS))
def test_mlp_param_groups_accumulation_plateau_matches_torch(name, set_to_none):
    optimizer_name, options = _GROUP_OPTIMIZERS[name]
    rng = np.random.default_rng(3)
    steps, micro = 12, 2
    inputs = rng.standard_normal((steps, micro, 5, 4))
    targets = rng.standard_normal((steps, micro, 5, 3))
    sign = -1.0 if options.get("maximize") else 1.0

    def build(lib):
        model = _two_head_mlp(lib)
        groups = [
            {"params": model.frozen.parameters()},  # never has a gradient
            {"params": model.trunk.parameters(), "weight_decay": 1e-2},
            {"params": list(model.head.parameters()) + list(model.aux.parameters())},
        ]
        if optimizer_name != "Rprop":  # Rprop has no weight decay
            groups[2]["weight_decay"] = 0.0
        else:
            del groups[1]["weight_decay"]
        if "lr" in options:
            groups[2]["lr"] = options["lr"] * 0.5
        optimizer = getattr(lib.optim, optimizer_name)(groups, **options)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=0.5, patience=1, threshold=0.2, cooldown=1, min_lr=1e-4
        )
        return model, optimizer, scheduler

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad(set_to_none=set_to_none)
        total = 0.0
        for j in range(micro):  # gradient accumulation over two micro-batches
            prediction = model(_from(lib, inputs[i, j]), use_aux=i % 2 == 0)
            loss = lib.nn.functional.mse_loss(prediction, _from(lib, targets[i, j])) / micro
            (sign * loss).backward()
            total += loss.item()
        optimizer.step()
        scheduler.step(total)
        return total

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, steps
    )
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    assert [g["lr"] for g in n_opt.param_groups] == pytest.approx(
        [g["lr"] for g in t_opt.param_groups], rel=RTOL
    )
    expected, actual = t_sched.state_dict(), n_sched.state_dict()
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch", "_last_lr"):
        assert actual[key] == pytest.approx(expected[key], rel=RTOL), key
    assert min(g["lr"] for g in t_opt.param_groups) < options["lr"] * 0.5  # the plateau acted
    # the frozen layer is untouched, and has no optimizer state
    _assert_close(n_model.frozen.weight, t_model.frozen.weight, "frozen weight", rtol=0, atol=0)


# ---- optimizer (and scheduler) state dicts across frameworks, mid-training -----------------------

_RESUME_OPTIMIZERS = {
    "Adam-amsgrad": ("Adam", {"lr": 0.01, "weight_decay": 1e-2, "amsgrad": True}),
    "AdamW": ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    "SGD-nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "NAdam": ("NAdam", {"lr": 0.02}),
    "RAdam": ("RAdam", {"lr": 0.02, "weight_decay": 1e-2}),
    "Adamax": ("Adamax", {"lr": 0.02}),
    "RMSprop-centered": ("RMSprop", {"lr": 0.01, "momentum": 0.3, "centered": True}),
    "Adagrad": ("Adagrad", {"lr": 0.05, "lr_decay": 0.01}),
    "Adadelta": ("Adadelta", {"lr": 0.5}),
    "Rprop": ("Rprop", {"lr": 0.01}),
    "ASGD": ("ASGD", {"lr": 0.05, "t0": 2}),
}


def _resume_setup(lib: Any, name: str) -> tuple[Any, Any, Any]:
    optimizer_name, options = _RESUME_OPTIMIZERS[name]
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    groups = [
        {"params": model[0].parameters()},
        {"params": model[2].parameters(), "lr": options["lr"] * 2},
    ]
    optimizer = getattr(lib.optim, optimizer_name)(groups, **options)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.7)
    return model, optimizer, scheduler


def _resume_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    return rng.standard_normal((10, 8, 4)), rng.standard_normal((10, 8, 2))


def _resume_step(lib, model, optimizer, scheduler, x, y) -> float:
    optimizer.zero_grad()
    loss = lib.nn.functional.smooth_l1_loss(model(_from(lib, x)), _from(lib, y), beta=0.5)
    loss.backward()
    optimizer.step()
    scheduler.step()
    return loss.item()


@pytest.mark.parametrize("via_file", [False, True])
@pytest.mark.parametrize("name", list(_RESUME_OPTIMIZERS))
def test_npgrad_resumes_from_torch_optimizer_state_dict(name, via_file, tmp_path):
    inputs, targets = _resume_data()
    resume_at = 5
    t_model, t_opt, t_sched = _resume_setup(torch, name)
    t_losses = []
    for i in range(resume_at):
        t_losses.append(_resume_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]))
    checkpoint = {
        "model": t_model.state_dict(),
        "optimizer": t_opt.state_dict(),
        "scheduler": t_sched.state_dict(),
    }
    if via_file:  # docs/saving.md: npgrad.load reads torch.save's checkpoint without torch
        torch.save(checkpoint, tmp_path / "ckpt.pt")
        loaded = npgrad.load(tmp_path / "ckpt.pt")
    else:
        loaded = _to_npgrad(checkpoint)
    n_model, n_opt, n_sched = _resume_setup(npgrad, name)
    n_model.load_state_dict(loaded["model"], strict=True)
    n_opt.load_state_dict(loaded["optimizer"])
    n_sched.load_state_dict(loaded["scheduler"])
    _assert_optimizers_match(t_opt, n_opt, rtol=0)  # loading is exact
    n_losses = list(t_losses)
    for i in range(resume_at, len(inputs)):
        t_losses.append(_resume_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]))
        n_losses.append(_resume_step(npgrad, n_model, n_opt, n_sched, inputs[i], targets[i]))
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


@pytest.mark.parametrize("name", list(_RESUME_OPTIMIZERS))
def test_torch_resumes_from_npgrad_optimizer_state_dict(name):
    # the other direction: npgrad's state dict has PyTorch's layout, so torch continues from it
    inputs, targets = _resume_data()
    resume_at = 5
    n_model, n_opt, n_sched = _resume_setup(npgrad, name)
    for i in range(resume_at):
        _resume_step(npgrad, n_model, n_opt, n_sched, inputs[i], targets[i])

    def to_torch(obj):
        if isinstance(obj, npgrad.Tensor):
            return torch.from_numpy(_np(obj))
        if isinstance(obj, dict):
            converted = obj.copy()
            for key, value in obj.items():
                converted[key] = to_torch(value)
            return converted
        if isinstance(obj, (list, tuple)):
            return type(obj)(to_torch(v) for v in obj)
        return obj

    t_model, t_opt, t_sched = _resume_setup(torch, name)
    t_model.load_state_dict(to_torch(n_model.state_dict()), strict=True)
    t_opt.load_state_dict(to_torch(n_opt.state_dict()))
    t_sched.load_state_dict(to_torch(n_sched.state_dict()))
    t_losses, n_losses = [], []
    for i in range(resume_at, len(inputs)):
        t_losses.append(_resume_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]))
        n_losses.append(_resume_step(npgrad, n_model, n_opt, n_sched, inputs[i], targets[i]))
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)


@pytest.mark.parametrize("name", list(_RESUME_OPTIMIZERS))
def test_npgrad_checkpoint_round_trip_continues_bit_for_bit(name, tmp_path):
    # npgrad alone: save after step k (npgrad.save, safetensors), load into fresh objects, continue;
    # the trajectory is the uninterrupted one exactly, which itself matches torch's
    inputs, targets = _resume_data()
    resume_at = 4
    runs = {}
    initial = _resume_setup(torch, name)[0]
    for interrupted in (False, True):
        model, optimizer, scheduler = _resume_setup(npgrad, name)
        _copy_weights(initial, model)
        losses = []
        for i in range(len(inputs)):
            if interrupted and i == resume_at:
                path = tmp_path / "ckpt.safetensors"
                npgrad.save(
                    {
                        "model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                    },
                    path,
                )
                model, optimizer, scheduler = _resume_setup(npgrad, name)
                checkpoint = npgrad.load(path)
                model.load_state_dict(checkpoint["model"], strict=True)
                optimizer.load_state_dict(checkpoint["optimizer"])
                scheduler.load_state_dict(checkpoint["scheduler"])
            losses.append(_resume_step(npgrad, model, optimizer, scheduler, inputs[i], targets[i]))
        runs[interrupted] = (losses, model, optimizer)
    assert runs[True][0] == runs[False][0]
    for a, b in zip(runs[True][1].parameters(), runs[False][1].parameters()):
        np.testing.assert_array_equal(_np(a), _np(b))
    _assert_optimizers_match_exactly(runs[True][2], runs[False][2])


def _assert_optimizers_match_exactly(a: Any, b: Any) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa["param_groups"] == sb["param_groups"]
    assert sorted(sa["state"]) == sorted(sb["state"])
    for index, state in sa["state"].items():
        assert set(state) == set(sb["state"][index])
        for key, value in state.items():
            other = sb["state"][index][key]
            np.testing.assert_array_equal(_np(value), _np(other), err_msg=f"{index} {key}")
            assert _np(value).dtype == _np(other).dtype, (index, key)


# ---- DataLoader: npgrad's shuffled batches, replayed to PyTorch's DataLoader ---------------------


def test_dataloader_shuffled_epochs_train_like_torch_on_the_same_batches():
    # npgrad's generators are PCG64 (docs/differences.md, "Random numbers"): a seed does not give
    # PyTorch's permutation, so PyTorch's DataLoader replays npgrad's order via batch_sampler.
    rng = np.random.default_rng(5)
    features, labels = rng.standard_normal((23, 4)), rng.integers(0, 3, 23)
    epochs, batch_size = 3, 5

    def npgrad_loader(seed):
        dataset = npgrad.data.TensorDataset(
            _from(npgrad, features), _from(npgrad, labels), npgrad.arange(len(labels))
        )
        return npgrad.data.DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=True,
            drop_last=True,
            generator=npgrad.Generator().manual_seed(seed),
        )

    loader = npgrad_loader(11)
    n_batches = [batch for _ in range(epochs) for batch in loader]
    order = [batch[2].tolist() for batch in n_batches]
    # a seeded loader replays its epochs; each epoch is a new permutation with the tail dropped
    replay = npgrad_loader(11)
    assert [b[2].tolist() for _ in range(epochs) for b in replay] == order
    per_epoch = len(labels) // batch_size
    assert len(order) == epochs * per_epoch
    assert all(len(indices) == batch_size for indices in order)
    epoch_orders = [sum(order[e * per_epoch : (e + 1) * per_epoch], []) for e in range(epochs)]
    assert all(len(set(indices)) == len(indices) for indices in epoch_orders)
    assert epoch_orders[0] != epoch_orders[1]

    t_dataset = torch.utils.data.TensorDataset(_from(torch, features), _from(torch, labels))
    t_batches = list(torch.utils.data.DataLoader(t_dataset, batch_sampler=order))
    for (nx, ny, _), (tx, ty) in zip(n_batches, t_batches):
        assert nx.dtype == tx.numpy().dtype and ny.dtype == ty.numpy().dtype
        np.testing.assert_array_equal(_np(nx), _np(tx))
        np.testing.assert_array_equal(_np(ny), _np(ty))

    def build(lib):
        model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
        return model, optimizer, scheduler

    batches = {torch: t_batches, npgrad: [b[:2] for b in n_batches]}

    def step(lib, model, optimizer, scheduler, i):
        x, y = batches[lib][i]
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if (i + 1) % per_epoch == 0:
            scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, len(order)
    )
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


# ---- more compositions: LBFGS with a closure, SWA, a tied decoder LM, attention, conv stacks ------


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_with_closure_matches_torch(line_search_fn):
    rng = np.random.default_rng(6)
    inputs, targets = rng.standard_normal((24, 3)), rng.standard_normal((24, 1))

    def build(lib):
        nn = lib.nn
        model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
        optimizer = lib.optim.LBFGS(
            model.parameters(), lr=0.5, max_iter=5, history_size=3, line_search_fn=line_search_fn
        )
        return model, optimizer, None

    def step(lib, model, optimizer, scheduler, i):
        def closure():
            optimizer.zero_grad()
            loss = lib.nn.functional.mse_loss(model(_from(lib, inputs)), _from(lib, targets))
            loss.backward()
            return loss

        return float(optimizer.step(closure).detach())

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, 6)
    assert n_losses[-1] < 0.7 * n_losses[0]  # it did optimize
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    t_state, n_state = t_opt.state_dict()["state"][0], n_opt.state_dict()["state"][0]
    # docs/differences.md: npgrad's LBFGS keeps t, ro and H_diag as floats and has no scratch `al`
    assert set(n_state) == set(t_state) - {"al"}
    for key in n_state:
        # old_dirs / old_stps are differences of successive gradients / parameters: their small
        # entries carry the cancellation's absolute error (~1e-12), not 1e-9 relative
        _assert_close(
            _np_nested(n_state[key]), _np_nested(t_state[key]), f"LBFGS state {key!r}", atol=1e-10
        )


def test_swa_and_ema_averaged_models_match_torch():
    rng = np.random.default_rng(7)
    inputs, targets = rng.standard_normal((10, 6, 3)), rng.standard_normal((10, 6, 1))

    def build(lib):
        nn = lib.nn
        model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 1))
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        swa_utils = lib.optim.swa_utils
        scheduler = swa_utils.SWALR(optimizer, swa_lr=0.01, anneal_epochs=3, anneal_strategy="cos")
        return model, optimizer, scheduler

    averages = {}

    def step(lib, model, optimizer, scheduler, i):
        swa_utils = lib.optim.swa_utils
        if i == 0:  # averaged copies of the model as it starts (after the weight copy)
            averages[lib] = (
                swa_utils.AveragedModel(model),
                swa_utils.AveragedModel(
                    model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9), use_buffers=True
                ),
            )
        swa, ema = averages[lib]
        optimizer.zero_grad()
        loss = lib.nn.functional.mse_loss(model(_from(lib, inputs[i])), _from(lib, targets[i]))
        loss.backward()
        optimizer.step()
        if i >= 4:
            swa.update_parameters(model)
            scheduler.step()
        ema.update_parameters(model)
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, len(inputs)
    )
    for lib in LIBS:
        swa = averages[lib][0]
        lib.optim.swa_utils.update_bn([(_from(lib, inputs[j]),) for j in range(3)], swa)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)
    for t_avg, n_avg in zip(averages[torch], averages[npgrad]):
        _assert_models_match(t_avg, n_avg)


@pytest.mark.parametrize("norm_first", [False, True])
def test_tied_weight_transformer_decoder_lm_matches_torch(norm_first):
    rng = np.random.default_rng(8)
    vocab, length, batch, steps = 9, 6, 3, 8
    tokens = rng.integers(1, vocab, (steps, batch, length + 1))
    tokens[:, 0, -2:] = 0  # the first sequence of each batch ends in padding (id 0)

    def build(lib):
        nn = lib.nn

        class TinyLM(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embed = nn.Embedding(vocab, 8)
                self.position = nn.Parameter(lib.zeros(length, 8))
                layer = nn.TransformerDecoderLayer(
                    8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first
                )
                self.decoder = nn.TransformerDecoder(layer, 2)
                self.out = nn.Linear(8, vocab, bias=False)
                self.out.weight = self.embed.weight  # tied: one parameter, two state_dict keys

            def forward(self, x):
                hidden = self.embed(x) + self.position
                causal = nn.Transformer.generate_square_subsequent_mask(length)  # float, -inf
                padding = lib.zeros(x.shape).masked_fill(x == 0, float("-inf"))  # of one type
                hidden = self.decoder(
                    hidden,
                    hidden[:, :2],
                    tgt_mask=causal,
                    tgt_is_causal=True,
                    tgt_key_padding_mask=padding,
                )
                return self.out(hidden)

        model = TinyLM()
        optimizer = lib.optim.Adam(model.parameters(), lr=0.01)
        return model, optimizer, lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)

    def step(lib, model, optimizer, scheduler, i):
        F = lib.nn.functional
        optimizer.zero_grad()
        x, y = _from(lib, tokens[i, :, :-1]), _from(lib, tokens[i, :, 1:])
        log_probs = F.log_softmax(model(x), dim=-1)
        loss = F.nll_loss(log_probs.reshape(-1, vocab), y.reshape(-1), ignore_index=0)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, steps
    )
    assert len(list(n_model.parameters())) == len(list(t_model.parameters()))
    assert n_model.out.weight is n_model.embed.weight  # load_state_dict kept the tie
    _assert_losses_match(t_losses, n_losses)
    # as in the encoder test: the cross-attention key bias has an exactly zero gradient, which
    # Adam turns from rounding noise into ~1e-11 steps
    _assert_models_match(t_model, n_model, atol=1e-9)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


@pytest.mark.parametrize("average_attn_weights", [True, False])
def test_multihead_attention_with_masks_and_bias_kv_matches_torch(average_attn_weights):
    rng = np.random.default_rng(9)
    inputs = rng.standard_normal((8, 3, 5, 6))

    def build(lib):
        nn = lib.nn

        class Attend(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.attn = nn.MultiheadAttention(
                    6, 3, batch_first=True, kdim=4, vdim=5, add_bias_kv=True
                )
                self.out = nn.Linear(6, 1)

            def forward(self, x):
                padding = lib.zeros(3, 5, dtype=lib.bool)
                padding[0, -1] = True
                causal_ish = lib.triu(lib.ones(5, 5, dtype=lib.bool), 3)
                out, weights = self.attn(
                    x,
                    x[..., :4],
                    x[..., :5],
                    key_padding_mask=padding,
                    attn_mask=causal_ish,
                    average_attn_weights=average_attn_weights,
                )
                return self.out(out).sum() + (weights**2).sum()

        model = Attend()
        return model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), None

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        loss = model(_from(lib, inputs[i]))
        loss.backward()
        optimizer.step()
        return loss.item()

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, 8)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)


@pytest.mark.parametrize("optimizer_name", ["Adafactor", "Adam"])
def test_conv_autoencoder_norms_transposed_conv_upsample_matches_torch(optimizer_name):
    rng = np.random.default_rng(10)
    images = rng.standard_normal((6, 4, 2, 8, 8))

    def build(lib):
        nn = lib.nn
        model = nn.Sequential(
            nn.Conv2d(2, 4, 3, stride=2, padding=1),
            nn.GroupNorm(2, 4),
            nn.LeakyReLU(0.1),
            # no bias before InstanceNorm: it would have an exactly zero gradient, whose
            # rounding noise Adafactor (eps ~1e-16) would turn into O(lr) steps of random sign
            nn.Conv2d(4, 6, 3, padding=1, groups=2, bias=False),
            nn.InstanceNorm2d(6, affine=True, track_running_stats=True),
            nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1),
            nn.Softplus(),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            nn.Conv2d(4, 2, 3, stride=2, padding=1),
        )
        optimizer = getattr(lib.optim, optimizer_name)(model.parameters(), lr=0.01)
        return model, optimizer, None

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        x = _from(lib, images[i])
        loss = lib.nn.functional.l1_loss(model(x), x)
        loss.backward()
        optimizer.step()
        return loss.item()

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, 6)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)


def test_conv1d_cumulative_batchnorm_bce_pos_weight_matches_torch():
    rng = np.random.default_rng(11)
    signals = rng.standard_normal((8, 5, 3, 12))
    targets = (rng.random((8, 5, 2)) > 0.5).astype(np.float64)
    pos_weight = np.array([2.0, 0.5])

    def build(lib):
        nn = lib.nn
        model = nn.Sequential(
            nn.Conv1d(3, 4, 5, padding="same", padding_mode="reflect"),
            nn.BatchNorm1d(4, momentum=None),  # cumulative moving average
            nn.Hardswish(),
            nn.AvgPool1d(2, ceil_mode=True, count_include_pad=False),
            nn.Conv1d(4, 4, 3, padding=2, padding_mode="circular"),
            nn.AdaptiveMaxPool1d(3),
            nn.Flatten(),
            nn.Linear(12, 2),
            nn.BatchNorm1d(2, affine=False),
        )
        optimizer = lib.optim.NAdam(model.parameters(), lr=0.01, weight_decay=0.01)
        return model, optimizer, lib.optim.lr_scheduler.ExponentialLR(optimizer, 0.9)

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        loss = lib.nn.functional.binary_cross_entropy_with_logits(
            model(_from(lib, signals[i])), _from(lib, targets[i]), pos_weight=_from(lib, pos_weight)
        )
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, 8
    )
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


@pytest.mark.parametrize("proj_size", [0, 2])
def test_lstm_ctc_with_infinity_norm_clipping_matches_torch(proj_size):
    rng = np.random.default_rng(12)
    steps, batch, length, classes = 6, 3, 9, 5
    inputs = rng.standard_normal((steps, batch, length, 4))
    lengths = np.array([9, 7, 5])
    targets = rng.integers(1, classes, (steps, batch, 3))
    target_lengths = np.array([3, 2, 1])

    def build(lib):
        nn = lib.nn
        rnn_utils = lib.nn.utils.rnn

        class Recognizer(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = nn.LSTM(
                    4, 6, num_layers=2, batch_first=True, proj_size=proj_size, bidirectional=True
                )
                self.fc = nn.Linear(2 * (proj_size or 6), classes)

            def forward(self, x):
                packed = rnn_utils.pack_padded_sequence(x, _from(lib, lengths), batch_first=True)
                output, _ = self.rnn(packed)
                output, _ = rnn_utils.pad_packed_sequence(output, total_length=length)
                return self.fc(output).log_softmax(-1)  # (time, batch, classes), as CTC wants

        model = Recognizer()
        return model, lib.optim.Adam(model.parameters(), lr=0.01), None

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        loss = lib.nn.functional.ctc_loss(
            model(_from(lib, inputs[i])),
            _from(lib, targets[i]),
            _from(lib, lengths),
            _from(lib, target_lengths),
            zero_infinity=True,
        )
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0, norm_type="inf")
        optimizer.step()
        return loss.item()

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, steps)
    assert all(math.isfinite(loss) for loss in t_losses)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)


# ---- schedulers: more kinds, and resuming from PyTorch's scheduler state mid-schedule ------------


def _scheduler_zoo(lib: Any, optimizer: Any, kind: str) -> Any:
    sched = lib.optim.lr_scheduler
    if kind == "OneCycleLR-three-phase":
        return sched.OneCycleLR(optimizer, max_lr=[0.05, 0.1], total_steps=14, three_phase=True)
    if kind == "CosineAnnealingWarmRestarts":
        return sched.CosineAnnealingWarmRestarts(optimizer, T_0=3, T_mult=2, eta_min=0.001)
    if kind == "ReduceLROnPlateau":
        return sched.ReduceLROnPlateau(optimizer, factor=0.5, patience=1, threshold=0.3)
    if kind == "SequentialLR":
        warmup = sched.LinearLR(optimizer, 0.1, total_iters=3)
        return sched.SequentialLR(
            optimizer, [warmup, sched.CosineAnnealingLR(optimizer, T_max=6)], milestones=[3]
        )
    if kind == "ChainedScheduler":
        return sched.ChainedScheduler(
            [
                sched.ConstantLR(optimizer, factor=0.5, total_iters=7),
                sched.ExponentialLR(optimizer, gamma=0.9),
            ],
            optimizer=optimizer,
        )
    if kind == "CyclicLR-triangular2":
        return sched.CyclicLR(optimizer, 0.01, 0.1, step_size_up=2, mode="triangular2")
    if kind == "CyclicLR-exp_range":
        return sched.CyclicLR(
            optimizer, 0.01, 0.1, step_size_up=2, step_size_down=3, mode="exp_range", gamma=0.9
        )
    if kind == "LambdaLR-per-group":
        return sched.LambdaLR(optimizer, [lambda e: 0.9**e, lambda e: 1 / (e + 1)])
    if kind == "MultiplicativeLR":
        return sched.MultiplicativeLR(optimizer, lambda e: 0.95)
    if kind == "PolynomialLR":
        return sched.PolynomialLR(optimizer, total_iters=10, power=2.0)
    if kind == "MultiStepLR":
        return sched.MultiStepLR(optimizer, [2, 6, 6, 9], gamma=0.5)
    if kind == "CosineAnnealingLR":
        return sched.CosineAnnealingLR(optimizer, T_max=5, eta_min=0.01)
    raise AssertionError(kind)


_SCHEDULER_KINDS = [
    "OneCycleLR-three-phase",
    "CosineAnnealingWarmRestarts",
    "ReduceLROnPlateau",
    "SequentialLR",
    "ChainedScheduler",
    "CyclicLR-triangular2",
    "CyclicLR-exp_range",
    "LambdaLR-per-group",
    "MultiplicativeLR",
    "PolynomialLR",
    "MultiStepLR",
    "CosineAnnealingLR",
]


def _zoo_setup(lib: Any, kind: str) -> tuple[Any, Any, Any]:
    model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 1))
    groups = [
        {"params": model[0].parameters()},
        {"params": model[2].parameters(), "lr": 0.02},
    ]
    optimizer = lib.optim.SGD(groups, lr=0.05, momentum=0.9)  # CyclicLR cycles the momentum
    return model, optimizer, _scheduler_zoo(lib, optimizer, kind)


def _zoo_step(lib, model, optimizer, scheduler, x, y) -> float:
    optimizer.zero_grad()
    loss = lib.nn.functional.mse_loss(model(_from(lib, x)), _from(lib, y))
    loss.backward()
    optimizer.step()
    if isinstance(scheduler, lib.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(loss.item())
    else:
        scheduler.step()
    return loss.item()


@pytest.mark.parametrize("kind", _SCHEDULER_KINDS)
def test_scheduler_resumed_from_torch_state_continues_like_torch(kind):
    rng = np.random.default_rng(13)
    inputs, targets = rng.standard_normal((14, 6, 3)), rng.standard_normal((14, 6, 1))
    resume_at = 5
    t_model, t_opt, t_sched = _zoo_setup(torch, kind)
    t_losses = [
        _zoo_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]) for i in range(resume_at)
    ]
    n_model, n_opt, n_sched = _zoo_setup(npgrad, kind)
    n_model.load_state_dict(_to_npgrad(t_model.state_dict()), strict=True)
    n_opt.load_state_dict(_to_npgrad(t_opt.state_dict()))
    n_sched.load_state_dict(_to_npgrad(t_sched.state_dict()))
    n_losses = list(t_losses)
    lrs = {torch: [], npgrad: []}
    for i in range(resume_at, len(inputs)):
        for lib, model, opt, sched, losses in (
            (torch, t_model, t_opt, t_sched, t_losses),
            (npgrad, n_model, n_opt, n_sched, n_losses),
        ):
            losses.append(_zoo_step(lib, model, opt, sched, inputs[i], targets[i]))
            lrs[lib].append([(g["lr"], g["momentum"]) for g in opt.param_groups])
    np.testing.assert_allclose(lrs[npgrad], lrs[torch], rtol=RTOL, atol=0)
    assert len({tuple(map(tuple, step)) for step in lrs[torch]}) > 1  # the schedule moved
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    if kind != "ReduceLROnPlateau":  # (no base_lrs / get_last_lr contract there)
        _assert_schedulers_match(t_sched, n_sched)


# ---- MultiStepLR checkpoints (bugs found by these tests, fixed) ------------------------------


def test_torch_checkpoint_with_a_multisteplr_loads_and_resumes(tmp_path):
    # MultiStepLR keeps its milestones in a collections.Counter, which npgrad.load refused
    rng = np.random.default_rng(14)
    inputs, targets = rng.standard_normal((10, 6, 3)), rng.standard_normal((10, 6, 1))
    t_model, t_opt, t_sched = _zoo_setup(torch, "MultiStepLR")
    t_losses = [_zoo_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]) for i in range(4)]
    checkpoint = {
        "model": t_model.state_dict(),
        "optimizer": t_opt.state_dict(),
        "scheduler": t_sched.state_dict(),
    }
    torch.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = npgrad.load(tmp_path / "ckpt.pt")
    n_model, n_opt, n_sched = _zoo_setup(npgrad, "MultiStepLR")
    n_model.load_state_dict(loaded["model"], strict=True)
    n_opt.load_state_dict(loaded["optimizer"])
    n_sched.load_state_dict(loaded["scheduler"])
    n_losses = list(t_losses)
    for i in range(4, len(inputs)):
        t_losses.append(_zoo_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]))
        n_losses.append(_zoo_step(npgrad, n_model, n_opt, n_sched, inputs[i], targets[i]))
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_schedulers_match(t_sched, n_sched)


@pytest.mark.parametrize("suffix", ["safetensors", "npz"])
def test_npgrad_saved_warmup_then_multistep_resumes_past_the_switch(suffix, tmp_path):
    # npgrad.save stores the Counter of milestones as a dict: MultiStepLR's closed form (used
    # at SequentialLR's switch) raised AttributeError on it after loading
    rng = np.random.default_rng(15)
    inputs, targets = rng.standard_normal((10, 6, 3)), rng.standard_normal((10, 6, 1))

    def setup(lib):
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = lib.optim.lr_scheduler
        warmup = sched.LinearLR(optimizer, start_factor=0.25, total_iters=3)
        decay = sched.MultiStepLR(optimizer, milestones=[2, 4], gamma=0.5)
        return model, optimizer, sched.SequentialLR(optimizer, [warmup, decay], milestones=[3])

    t_model, t_opt, t_sched = setup(torch)
    n_model, n_opt, n_sched = setup(npgrad)
    _copy_weights(t_model, n_model)
    t_losses, n_losses = [], []
    for i in range(len(inputs)):
        if i == 2:  # checkpoint before SequentialLR switches to MultiStepLR (at epoch 3)
            path = tmp_path / f"ckpt.{suffix}"
            npgrad.save(
                {
                    "model": n_model.state_dict(),
                    "optimizer": n_opt.state_dict(),
                    "scheduler": n_sched.state_dict(),
                },
                path,
            )
            n_model, n_opt, n_sched = setup(npgrad)
            checkpoint = npgrad.load(path)
            n_model.load_state_dict(checkpoint["model"], strict=True)
            n_opt.load_state_dict(checkpoint["optimizer"])
            n_sched.load_state_dict(checkpoint["scheduler"])
        t_losses.append(_zoo_step(torch, t_model, t_opt, t_sched, inputs[i], targets[i]))
        n_losses.append(_zoo_step(npgrad, n_model, n_opt, n_sched, inputs[i], targets[i]))
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_schedulers_match(t_sched, n_sched)


# ---- training-time model surgery: unfreezing, parametrizations, pruning, checkpointing -----------

_SURGERY = [
    "unfreeze-add_param_group",
    "activation-checkpoint",
    "weight_norm",
    "spectral_norm",
    "orthogonal",
    pytest.param(
        "legacy-weight_norm",
        marks=pytest.mark.filterwarnings("ignore:.*weight_norm.*is deprecated:FutureWarning"),
    ),
    "prune-mid-training",
    "embedding-max_norm",
    "embedding-scale_grad_by_freq",
    "embedding_bag-mean",
    "embedding_bag-sum-per_sample_weights",
    "embedding_bag-max",
]


def _surgery_model(lib: Any, kind: str) -> Any:
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            if kind.startswith("embedding"):
                if kind == "embedding-max_norm":  # renormalises looked-up rows in place
                    self.embed = nn.Embedding(10, 4, max_norm=1.0)
                elif kind == "embedding-scale_grad_by_freq":
                    self.embed = nn.Embedding(10, 4, scale_grad_by_freq=True, padding_idx=2)
                else:
                    self.embed = nn.EmbeddingBag(10, 4, mode=kind.split("-")[1], padding_idx=1)
            self.body = nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 6), nn.Tanh())
            self.head = nn.Linear(6, 3)

        def forward(self, x, tokens):
            if kind in ("embedding-max_norm", "embedding-scale_grad_by_freq"):
                x = x + self.embed(tokens).mean(1)
            elif kind.startswith("embedding_bag"):
                offsets = _from(lib, np.array([0, 4, 9, 9, 20, 25]))  # an empty bag too
                weights = None
                if kind.endswith("per_sample_weights"):
                    weights = _from(lib, np.linspace(0.5, 1.5, tokens.numel()))
                x = x + self.embed(tokens.reshape(-1), offsets, per_sample_weights=weights)
            if kind == "activation-checkpoint":
                checkpoint = torch.utils.checkpoint if lib is torch else npgrad.utils.checkpoint
                return self.head(checkpoint.checkpoint(self.body, x, use_reentrant=False))
            return self.head(self.body(x))

    model = Net()
    parametrizations = nn.utils.parametrizations
    if kind == "weight_norm":
        parametrizations.weight_norm(model.body[0])
        parametrizations.weight_norm(model.body[2], dim=None)
    elif kind == "spectral_norm":  # its power-iteration vectors are buffers: copied with weights
        parametrizations.spectral_norm(model.body[2], n_power_iterations=2)
    elif kind == "orthogonal":
        parametrizations.orthogonal(model.body[2])
    elif kind == "legacy-weight_norm":
        nn.utils.weight_norm(model.body[0])
    return model


@pytest.mark.parametrize("kind", _SURGERY)
def test_training_with_model_surgery_matches_torch(kind):
    import torch.nn.utils.prune  # noqa: F401  (a submodule torch doesn't import by itself)
    import torch.utils.checkpoint  # noqa: F401

    import npgrad.nn.utils.prune  # noqa: F401
    import npgrad.utils.checkpoint  # noqa: F401

    rng = np.random.default_rng(16)
    steps = 8
    inputs = rng.standard_normal((steps, 6, 4))
    tokens = rng.integers(0, 10, (steps, 6, 5))
    tokens[:, :, 0] = 3  # a repeated index, for scale_grad_by_freq
    labels = rng.integers(0, 3, (steps, 6))

    def build(lib):
        model = _surgery_model(lib, kind)
        if kind == "unfreeze-add_param_group":
            model.body.requires_grad_(False)  # fine-tuning: the head first, named parameters
            optimizer = lib.optim.Adam(
                model.head.named_parameters(),
                lr=0.01,
                decoupled_weight_decay=True,
                weight_decay=0.1,
            )
        elif kind.startswith("embedding"):
            optimizer = lib.optim.Adagrad(model.parameters(), lr=0.1)
        else:
            optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        return model, optimizer, None

    def step(lib, model, optimizer, scheduler, i):
        if i == 3 and kind == "unfreeze-add_param_group":
            model.body.requires_grad_(True)
            optimizer.add_param_group(
                {"params": list(model.body.named_parameters()), "lr": 0.003, "amsgrad": True}
            )
        if i == 3 and kind == "prune-mid-training":  # weight -> weight_orig * weight_mask
            lib.nn.utils.prune.l1_unstructured(model.body[0], "weight", amount=0.3)
            lib.nn.utils.prune.ln_structured(model.body[2], "weight", amount=1, n=2, dim=0)
        optimizer.zero_grad()
        logits = model(_from(lib, inputs[i]), _from(lib, tokens[i]))
        loss = lib.nn.functional.cross_entropy(logits, _from(lib, labels[i]))
        loss.backward()
        optimizer.step()
        return loss.item()

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, steps)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    if kind == "prune-mid-training":
        pruned = n_model.body[0]
        assert any(p is pruned.weight_orig for p in n_opt.param_groups[0]["params"])
        assert int((pruned.weight == 0).sum()) == int((t_model.body[0].weight == 0).sum()) > 0


# ---- the loss functions a user trains with, through SGD with a Tensor lr and a closure ------------


def _loss_zoo(lib: Any, out: Any, i: int, data: dict[str, np.ndarray], name: str) -> Any:
    F = lib.nn.functional
    regression, labels = _from(lib, data["regression"][i]), _from(lib, data["labels"][i])
    multi_hot, signs = _from(lib, data["multi_hot"][i]), _from(lib, data["signs"][i])
    class_weight = _from(lib, np.array([1.0, 2.0, 0.5]))
    if name == "kl_div":
        return F.kl_div(F.log_softmax(out, -1), F.softmax(regression, -1), reduction="batchmean")
    if name == "kl_div-log_target":
        log_target = F.log_softmax(regression, -1)
        return F.kl_div(F.log_softmax(out, -1), log_target, reduction="sum", log_target=True)
    if name == "triplet_margin-swap":
        return F.triplet_margin_loss(out[:2], out[2:4], out[4:6], margin=0.5, p=1.5, swap=True)
    if name == "cosine_embedding":
        return F.cosine_embedding_loss(out[:3], out[3:], signs[:3], margin=0.1)
    if name == "margin_ranking":
        return F.margin_ranking_loss(out[:, 0], out[:, 1], signs, margin=0.2)
    if name == "huber":
        return F.huber_loss(out, regression, delta=0.3)
    if name == "multilabel_soft_margin":
        return F.multilabel_soft_margin_loss(out, multi_hot, weight=class_weight)
    if name == "poisson_nll-full":
        return F.poisson_nll_loss(out, regression.abs(), log_input=True, full=True)
    if name == "gaussian_nll-full":
        variance = F.softplus(out[:, 2:]) + 0.1
        return F.gaussian_nll_loss(out[:, :2], regression[:, :2], variance, full=True)
    if name == "multi_margin":
        return F.multi_margin_loss(out, labels, p=2, margin=0.7, weight=class_weight)
    if name == "hinge_embedding":
        return F.hinge_embedding_loss(out[:, 0], signs, margin=0.5)
    if name == "soft_margin":
        return F.soft_margin_loss(out[:, 0], signs)
    if name == "multilabel_margin":
        return F.multilabel_margin_loss(out, _from(lib, np.array([[0, 2, -1]] * 6)))
    if name == "binary_cross_entropy-weight":
        return F.binary_cross_entropy(lib.sigmoid(out), multi_hot, weight=class_weight)
    if name == "cross_entropy-probabilities":
        return F.cross_entropy(out, F.softmax(regression, -1), label_smoothing=0.2)
    if name == "cross_entropy-ignore_index-sum":
        ignored = _from(lib, np.where(np.arange(6) == 2, -100, data["labels"][i]))
        return F.cross_entropy(out, ignored, reduction="sum", label_smoothing=0.05)
    if name == "nll_loss-2d":
        log_probs = F.log_softmax(out.reshape(2, 3, 3).transpose(1, 2), 1)
        return F.nll_loss(log_probs, _from(lib, data["labels"][i].reshape(2, 3)))
    raise AssertionError(name)


_LOSSES = [
    "kl_div",
    "kl_div-log_target",
    "triplet_margin-swap",
    "cosine_embedding",
    "margin_ranking",
    "huber",
    "multilabel_soft_margin",
    "poisson_nll-full",
    "gaussian_nll-full",
    "multi_margin",
    "hinge_embedding",
    "soft_margin",
    "multilabel_margin",
    "binary_cross_entropy-weight",
    "cross_entropy-probabilities",
    "cross_entropy-ignore_index-sum",
    "nll_loss-2d",
]


@pytest.mark.parametrize("name", _LOSSES)
def test_loss_functions_train_like_torch(name):
    rng = np.random.default_rng(17)
    steps = 8
    inputs = rng.standard_normal((steps, 6, 4))
    data = {
        "regression": rng.standard_normal((steps, 6, 3)),
        "labels": rng.integers(0, 3, (steps, 6)),
        "multi_hot": (rng.random((steps, 6, 3)) > 0.5).astype(np.float64),
        "signs": np.where(rng.random((steps, 6)) > 0.5, 1.0, -1.0),
    }

    def build(lib):
        model = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Mish(), lib.nn.Linear(5, 3))
        lr = lib.tensor(0.02)  # a Tensor lr, which the scheduler updates in place
        optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
        return model, optimizer, lib.optim.lr_scheduler.ExponentialLR(optimizer, 0.9)

    def step(lib, model, optimizer, scheduler, i):
        def closure():
            optimizer.zero_grad()
            loss = _loss_zoo(lib, model(_from(lib, inputs[i])), i, data, name)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, steps
    )
    assert isinstance(n_opt.param_groups[0]["lr"], npgrad.Tensor)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
    _assert_schedulers_match(t_sched, n_sched)


# ---- float32: dtypes stay float32 everywhere, values follow torch to float32 rounding -------------


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("AdamW", {"lr": 0.01}),
        ("NAdam", {"lr": 0.01}),
        ("RAdam", {"lr": 0.01}),
        ("Adamax", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
        ("Adagrad", {"lr": 0.05}),
        ("Adadelta", {"lr": 0.5}),
        ("Rprop", {"lr": 0.01}),
        ("ASGD", {"lr": 0.05, "t0": 2}),
        ("Adafactor", {"lr": 0.01}),
    ],
)
def test_float32_training_keeps_float32_and_follows_torch(name, options):
    rng = np.random.default_rng(18)
    inputs = rng.standard_normal((8, 6, 4)).astype(np.float32)
    labels = rng.integers(0, 3, (8, 6))

    def build(lib):
        nn = lib.nn
        model = nn.Sequential(
            nn.Linear(4, 8, bias=False),  # (a bias before BatchNorm has no gradient)
            nn.BatchNorm1d(8),
            nn.ReLU(),
            nn.Linear(8, 3),
        ).float()
        optimizer = getattr(lib.optim, name)(model.parameters(), **options)
        return model, optimizer, lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, 5)

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        logits = model(_from(lib, inputs[i]))
        loss = lib.nn.functional.cross_entropy(logits, _from(lib, labels[i]), label_smoothing=0.1)
        assert loss.dtype == lib.float32
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    (t_model, t_opt, t_sched, t_losses), (n_model, n_opt, n_sched, n_losses) = _train_both(
        build, step, 8
    )
    # float32 rounding (~6e-8 relative) differs with the summation order; the adaptive
    # optimizers divide by sqrt(v) + eps, which for an entry whose gradient is small amplifies
    # that rounding: over 8 steps a few entries drift ~1e-4 relative (seen across seeds)
    _assert_losses_match(t_losses, n_losses, rtol=1e-5)
    _assert_models_match(t_model, n_model, rtol=1e-4, atol=1e-5)  # (checks dtypes exactly)
    _assert_optimizers_match(t_opt, n_opt, rtol=1e-4, atol=1e-5)
    for index, t_state in t_opt.state_dict()["state"].items():
        n_state = n_opt.state_dict()["state"][index]
        for key, value in t_state.items():
            assert _np(n_state[key]).dtype == _np(value).dtype, (index, key)


# ---- recurrent nets given initial states on an unsorted PackedSequence ---------------------------


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
def test_rnn_initial_state_follows_unsorted_packed_batch_like_torch(cell):
    # hx is in the batch's order; the layer must permute it with the packing's sorted_indices
    # and return h_n in the original order again
    rng = np.random.default_rng(19)
    steps, batch, length = 6, 5, 6
    inputs = rng.standard_normal((steps, length, batch, 3))  # time-major
    features = rng.standard_normal((steps, batch, 2))
    lengths = rng.integers(1, length + 1, (steps, batch))
    labels = rng.integers(0, 2, (steps, batch))

    def build(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                options = {"num_layers": 2, "bidirectional": True}
                if cell == "RNN":
                    options["nonlinearity"] = "relu"
                self.rnn = getattr(nn, cell)(3, 4, **options)
                self.init = nn.Linear(2, 4 * 4)  # per-sample initial states from features
                self.fc = nn.Linear(8, 2)

            def forward(self, x, f, lengths):
                h0 = self.init(f).reshape(f.shape[0], 4, 4).permute(1, 0, 2).contiguous()
                hx = (h0, lib.tanh(h0)) if cell == "LSTM" else h0
                packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
                output, state = self.rnn(packed, hx)
                h_n = state[0] if cell == "LSTM" else state
                padded, _ = lib.nn.utils.rnn.pad_packed_sequence(output)
                return self.fc(lib.cat([h_n[-2], h_n[-1]], 1)) + self.fc(padded.sum(0))

        model = Net()
        return model, lib.optim.Adam(model.parameters(), lr=0.01), None

    def step(lib, model, optimizer, scheduler, i):
        optimizer.zero_grad()
        logits = model(_from(lib, inputs[i]), _from(lib, features[i]), _from(lib, lengths[i]))
        loss = lib.nn.functional.cross_entropy(logits, _from(lib, labels[i]))
        loss.backward()
        optimizer.step()
        return loss.item()

    (t_model, t_opt, _, t_losses), (n_model, n_opt, _, n_losses) = _train_both(build, step, steps)
    _assert_losses_match(t_losses, n_losses)
    _assert_models_match(t_model, n_model)
    _assert_optimizers_match(t_opt, n_opt)
