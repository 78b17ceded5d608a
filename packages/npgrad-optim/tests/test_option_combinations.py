"""Every combination of each optimizer's switches (and weight decay) against torch.optim.

The per-optimizer files check hand-computed steps and hand-picked settings; this one sweeps the
cartesian product of the options so that no interaction (e.g. maximize with decoupled weight
decay and AMSGrad) goes untested.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest


def grid(base: dict[str, Any], **options: list[Any]) -> list[dict[str, Any]]:
    names = list(options)
    return [{**base, **dict(zip(names, values))} for values in itertools.product(*options.values())]


def sgd_grid() -> list[dict[str, Any]]:
    cases = grid(
        {"lr": 1e-3},
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    )
    # Nesterov needs momentum and no dampening
    return [c for c in cases if not c["nesterov"] or (c["momentum"] > 0 and c["dampening"] == 0)]


COMBINATIONS: dict[str, list[dict[str, Any]]] = {
    "SGD": sgd_grid(),
    "Adam": grid(
        {"lr": 0.01},
        amsgrad=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
        decoupled_weight_decay=[False, True],
    ),
    "AdamW": grid(
        {"lr": 0.01}, amsgrad=[False, True], weight_decay=[0.0, 0.1], maximize=[False, True]
    ),
    "RMSprop": grid(
        {"lr": 1e-3},
        centered=[False, True],
        momentum=[0.0, 0.5],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "Adagrad": grid(
        {"lr": 0.1},
        lr_decay=[0.0, 0.05],
        weight_decay=[0.0, 0.1],
        initial_accumulator_value=[0.0, 0.5],
        maximize=[False, True],
    ),
    "Adadelta": grid({}, rho=[0.9, 0.5], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "Adamax": grid({"lr": 0.01}, weight_decay=[0.0, 0.1], maximize=[False, True]),
    "NAdam": grid(
        {"lr": 0.01},
        weight_decay=[0.0, 0.1],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
        momentum_decay=[4e-3, 0.02],
    ),
    "RAdam": grid(
        {"lr": 1e-3},
        weight_decay=[0.0, 0.1],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
    ),
    "ASGD": grid(
        {"lr": 1e-3},
        t0=[1e6, 3],
        lambd=[1e-4, 0.1],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "Rprop": grid(
        {},
        lr=[1e-2, 1e-3],
        etas=[(0.5, 1.2), (0.3, 1.5)],
        step_sizes=[(1e-6, 50), (1e-3, 0.1)],
        maximize=[False, True],
    ),
    "Adafactor": grid(
        {"lr": 0.01},
        eps=[(None, 1e-3), (1e-30, 1e-2)],
        d=[1.0, 2.0],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
}

CASES = [(name, kwargs) for name, cases in COMBINATIONS.items() for kwargs in cases]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_every_option_combination_matches_torch(
    torch_parity: Any, name: str, kwargs: dict[str, Any], dtype: str
) -> None:
    torch_parity(name, kwargs, dtype)
