"""Run a PyTorch-trained model in npgrad: load a ``.pt`` state_dict into the npgrad twin.

npgrad's layers have PyTorch's parameter names, shapes and layouts, so the same model code
(here :func:`tiny_cnn`, which takes either ``npgrad.nn`` or ``torch.nn``) builds twins whose
``state_dict`` keys agree. ``npgrad.load`` reads the zip file that ``torch.save`` writes
*without torch* — through a restricted unpickler that accepts only what a state_dict needs —
and ``load_state_dict(strict=True)`` checks that every key is there and nothing else is.

    python examples/torch_interop.py --checkpoint model.pt
        loads the checkpoint (no torch needed), prints every key with its shape and dtype,
        and classifies the held-out digits with the npgrad twin;
    python examples/torch_interop.py --make-checkpoint model.pt [--epochs 6]
        (needs torch) first trains the torch twin on the bundled digits and saves its
        state_dict with ``torch.save``, then does the above.

When torch is importable the script also runs the torch twin on the same images and prints the
largest difference between the two models' outputs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import npgrad
from npgrad import nn
from npgrad.vision.datasets import Digits


def tiny_cnn(nn: ModuleType) -> Any:
    """A small CNN for the 8x8 digits, written once for ``npgrad.nn`` and ``torch.nn`` alike."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x8 -> 4x4
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 4x4 -> 2x2
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


def make_checkpoint(path: Path, epochs: int, seed: int) -> None:
    """Train the torch twin on the digits training split and ``torch.save`` its state_dict."""
    try:
        import torch
    except ImportError:
        raise SystemExit("--make-checkpoint needs PyTorch (pip install torch)") from None
    torch.manual_seed(seed)
    train = Digits(train=True)
    images = torch.from_numpy(train.data.numpy().copy())
    labels = torch.from_numpy(train.targets.numpy().copy())
    model = tiny_cnn(torch.nn)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(images))
        total = 0.0
        for batch in order.split(64):
            optimizer.zero_grad()
            loss = loss_fn(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"torch epoch {epoch}: train loss {total / len(images):.4f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    print(
        f"torch {torch.__version__}: trained in {time.perf_counter() - start:.1f} s, wrote {path}"
    )


def torch_outputs(checkpoint: Path, images: np.ndarray) -> np.ndarray | None:
    """The torch twin's logits for ``images``, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    model = tiny_cnn(torch.nn)
    model.load_state_dict(torch.load(checkpoint, weights_only=True), strict=True)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(images.copy())).numpy()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkpoint", type=Path, help="a .pt state_dict to load (no torch needed)"
    )
    parser.add_argument(
        "--make-checkpoint", type=Path, metavar="PATH", help="train with torch, save there, load it"
    )
    parser.add_argument("--epochs", type=int, default=6, help="torch training (--make-checkpoint)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if (args.checkpoint is None) == (args.make_checkpoint is None):
        parser.error("give one of --checkpoint PATH or --make-checkpoint PATH")

    checkpoint = args.checkpoint
    if args.make_checkpoint is not None:
        make_checkpoint(args.make_checkpoint, args.epochs, args.seed)
        checkpoint = args.make_checkpoint

    state = npgrad.load(checkpoint)  # a restricted unpickler: no torch, no code from the file
    print(f"{checkpoint}: {len(state)} entries")
    width = max(len(k) for k in state)
    for key, value in state.items():
        print(f"  {key:<{width}}  {str(tuple(value.shape)):<14} {value.dtype}")

    model = tiny_cnn(nn)
    model.load_state_dict(state, strict=True)  # every key present, none left over
    model.eval()
    test = Digits(train=False)
    with npgrad.no_grad():
        logits = model(test.data)
    predictions = logits.argmax(dim=1).numpy()
    labels = test.targets.numpy()
    accuracy = float((predictions == labels).mean())
    probs = logits[:8].softmax(dim=1).numpy()
    print("npgrad twin on the held-out digits:")
    for p, label in zip(probs, labels[:8]):
        print(f"  label {label}: predicted {p.argmax()} (probability {p.max():.3f})")
    print(f"test accuracy {accuracy:.4f} on {len(labels)} images")

    reference = torch_outputs(checkpoint, test.data.numpy())
    max_diff = None
    if reference is None:
        print("torch is not installed: nothing to compare with")
    else:
        max_diff = float(np.abs(logits.numpy() - reference).max())
        same = int((reference.argmax(axis=1) == predictions).sum())
        print(
            f"torch twin: max |npgrad - torch| logit difference {max_diff:.2e}, "
            f"same prediction for {same}/{len(labels)} images"
        )
    return {
        "keys": {k: tuple(v.shape) for k, v in state.items()},
        "accuracy": accuracy,
        "max_diff": max_diff,
    }


if __name__ == "__main__":
    main()
