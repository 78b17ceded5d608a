"""Training runs that need several packages together: nn + optim + data + vision."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import npgrad
from npgrad import nn
from npgrad.data import DataLoader
from npgrad.optim import SGD, Adam
from npgrad.vision.datasets import Digits

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_cnn_reaches_95_percent_in_a_short_run(tmp_path):
    demo = _load_example("digits_cnn")
    accuracy = demo.main(["--epochs", "6", "--out", str(tmp_path)])
    assert accuracy >= 0.95
    for name in ("curves.png", "confusion.png", "digits_cnn.safetensors"):
        assert (tmp_path / name).stat().st_size > 0


def _mlp() -> nn.Module:
    npgrad.manual_seed(3)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def _train_one_epoch(num_workers: int) -> list[np.ndarray]:
    model = _mlp()
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = DataLoader(
        Digits(train=True),
        batch_size=64,
        shuffle=True,
        generator=npgrad.Generator().manual_seed(7),
        num_workers=num_workers,
    )
    loss_fn = nn.CrossEntropyLoss()
    for images, labels in loader:
        optimizer.zero_grad()
        loss_fn(model(images), labels).backward()
        optimizer.step()
    return [p.numpy().copy() for p in model.parameters()]


def test_worker_processes_do_not_change_training():
    single, workers = _train_one_epoch(0), _train_one_epoch(2)
    for a, b in zip(single, workers):
        np.testing.assert_array_equal(a, b)


def test_model_and_optimizer_checkpoint_resumes_exactly(tmp_path):
    data = Digits(train=True)
    images, labels = data.data[:128], data.targets[:128]
    loss_fn = nn.CrossEntropyLoss()

    def step(model, optimizer):
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    model = _mlp()
    optimizer = Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        step(model, optimizer)
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"model": model.state_dict(), "optim": optimizer.state_dict()}, path)

    twin = _mlp()
    twin_optimizer = Adam(twin.parameters(), lr=1e-2)
    checkpoint = npgrad.load(path)
    twin.load_state_dict(checkpoint["model"])
    twin_optimizer.load_state_dict(checkpoint["optim"])
    with npgrad.no_grad():
        np.testing.assert_array_equal(model(images).numpy(), twin(images).numpy())
    assert step(model, optimizer) == step(twin, twin_optimizer)
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
