"""Siamese verification: are two images of the same digit (or, with --lfw-root, the same person)?

The nptorch seed's Siamese experiment, on the bundled UCI digits so that it runs offline: one
small convolutional backbone embeds both images of a pair (shared weights), the contrastive loss
pulls matched pairs together and pushes mismatched pairs at least ``--margin`` apart, and Adam
trains it. Training pairs come from the training split (new pairs every epoch); the evaluation
pairs from the held-out test split, so no test image is seen in training. A pair is accepted as
matched when the distance between its embeddings is at most a threshold; the report is the LFW
protocol's 10-fold verification accuracy (threshold chosen on nine folds, measured on the tenth;
mean ± std) and the area under the ROC curve, which is drawn into ``roc.png``.

``--lfw-root PATH`` runs the same on a local copy of Labeled Faces in the Wild (torchvision's
layout, see ``npgrad.vision.datasets.LFWPairs``; nothing is downloaded): it trains on the pairs
of ``pairsDevTrain.txt`` (LFW's view 1) and evaluates on ``pairs.txt`` (view 2) with its
official ten folds.

    python examples/siamese_digits.py [--epochs 12] [--batch-size 64] [--lr 2e-3]
                                      [--embedding-dim 16] [--margin 1.0] [--seed 0]
                                      [--out runs/siamese] [--lfw-root PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import npgrad
from npgrad import nn
from npgrad.data import DataLoader, transforms
from npgrad.optim import Adam
from npgrad.vision.datasets import Digits, LFWPairs
from npgrad.vision.siamese import (
    ContrastiveLoss,
    PairDataset,
    SiameseNetwork,
    kfold_verification,
    pair_distances,
    roc_auc,
    roc_curve,
)


def backbone(in_channels: int) -> nn.Module:
    """Three 3x3 convolutions with BatchNorm, then global average pooling: any input size."""
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(((in_channels, 16), (16, 32), (32, 64))):
        layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]
        if i < 2:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


def build_model(in_channels: int, embedding_dim: int) -> SiameseNetwork:
    head = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, embedding_dim))
    return SiameseNetwork(backbone(in_channels), head=head)


def digits_data(seed: int) -> tuple[PairDataset, PairDataset]:
    """Training pairs (redrawn each epoch) and fixed test pairs from the held-out split."""
    train = PairDataset(Digits(train=True), positive_ratio=0.5, seed=seed)
    test_digits = Digits(train=False)
    # every test digit is the first image of two pairs: 900 pairs, half of them matched
    test = PairDataset(test_digits, positive_ratio=0.5, seed=seed + 1, length=2 * len(test_digits))
    return train, test


def lfw_data(root: Path, image_size: int, epochs: int) -> tuple[LFWPairs | None, LFWPairs]:
    """LFW view 1 training pairs and view 2 (``pairs.txt``) test pairs, as grey images."""
    # the funneled faces fill the central ~half of the 250x250 image
    to_input = transforms.Compose(
        [
            transforms.CenterCrop(120),
            transforms.Resize(image_size),
            transforms.Grayscale(),
            transforms.ToTensor(),
        ]
    )
    test = LFWPairs(root, split="10fold", transform=to_input)
    train = None
    if epochs > 0:
        try:
            train = LFWPairs(root, split="train", transform=to_input)
        except FileNotFoundError as e:
            raise SystemExit(
                f"{e}\nTraining needs LFW's pairsDevTrain.txt; with --epochs 0 only the "
                "untrained network is evaluated on pairs.txt."
            ) from None
    return train, test


def train_epoch(model, loader, loss_fn, optimizer) -> float:
    """One pass over the training pairs; the mean contrastive loss."""
    model.train()
    total, count = 0.0, 0
    for x1, x2, same in loader:
        optimizer.zero_grad()
        e1, e2 = model(x1, x2)
        loss = loss_fn(e1, e2, same)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(same)
        count += len(same)
    return total / max(count, 1)


def draw_roc(fpr: np.ndarray, tpr: np.ndarray, title: str, size: int = 420) -> Image.Image:
    """The ROC curve on a unit square with the chance diagonal, axis ticks and labels."""
    font = ImageFont.load_default()
    img = Image.new("RGB", (size + 70, size + 70), "white")
    draw = ImageDraw.Draw(img)
    x0, y0, side = 50, 25, size

    def point(x: float, y: float) -> tuple[float, float]:
        return x0 + side * x, y0 + side * (1.0 - y)

    for t in np.linspace(0.0, 1.0, 6):
        gx, gy = point(t, t)
        draw.line((gx, y0, gx, y0 + side), fill=(230, 230, 230))
        draw.line((x0, gy, x0 + side, gy), fill=(230, 230, 230))
        draw.text((gx - 8, y0 + side + 5), f"{t:.1f}", fill="black", font=font)
        draw.text((x0 - 28, gy - 6), f"{t:.1f}", fill="black", font=font)
    draw.rectangle((x0, y0, x0 + side, y0 + side), outline="black")
    # the chance line, dashed
    for a in np.arange(0.0, 1.0, 0.04):
        draw.line((*point(a, a), *point(a + 0.02, a + 0.02)), fill=(150, 150, 150))
    draw.line([point(float(x), float(y)) for x, y in zip(fpr, tpr)], fill=(31, 119, 180), width=2)
    draw.text((x0, 6), title, fill="black", font=font)
    draw.text((x0 + side // 2 - 55, y0 + side + 22), "false positive rate", fill="black", font=font)
    label = Image.new("RGB", (120, 14), "white")
    ImageDraw.Draw(label).text((0, 0), "true positive rate", fill="black", font=font)
    img.paste(label.rotate(90, expand=True), (4, y0 + side // 2 - 60))
    return img


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--embedding-dim", type=int, default=16)
    parser.add_argument("--margin", type=float, default=1.0, help="of the contrastive loss")
    parser.add_argument(
        "--folds", type=int, default=10, help="verification folds (digits; LFW has its own)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--out", type=Path, default=Path("runs/siamese"))
    parser.add_argument(
        "--lfw-root",
        type=Path,
        default=None,
        help="a local LFW tree (lfw-py/...) instead of digits",
    )
    parser.add_argument("--image-size", type=int, default=32, help="LFW faces are resized to this")
    args = parser.parse_args(argv)

    npgrad.manual_seed(args.seed)
    train_pairs: PairDataset | LFWPairs | None
    if args.lfw_root is None:
        train_pairs, test_pairs = digits_data(args.seed)
        folds: Any = args.folds  # consecutive blocks of the (randomly drawn) test pairs
        what = "digit pairs (8x8, bundled UCI digits)"
    else:
        train_pairs, test_pairs = lfw_data(args.lfw_root, args.image_size, args.epochs)
        folds = test_pairs.folds  # pairs.txt's own ten folds
        what = f"LFW face pairs ({args.image_size}x{args.image_size} grey, {args.lfw_root})"
    n_train = 0 if train_pairs is None else len(train_pairs)
    print(f"{what}: {n_train} training and {len(test_pairs)} test pairs")

    model = build_model(1, args.embedding_dim)  # grey images: digits, and LFW converted
    loss_fn = ContrastiveLoss(margin=args.margin)
    optimizer = Adam(model.parameters(), lr=args.lr)
    test_loader = DataLoader(test_pairs, batch_size=256, num_workers=args.workers)
    start = time.perf_counter()
    history: list[float] = []
    for epoch in range(1, args.epochs + 1):
        if isinstance(train_pairs, PairDataset):
            train_pairs.set_epoch(epoch)  # new partners every epoch
        loader = DataLoader(
            train_pairs,
            batch_size=args.batch_size,
            shuffle=True,
            generator=npgrad.Generator().manual_seed(args.seed + epoch),
            num_workers=args.workers,
        )
        loss = train_epoch(model, loader, loss_fn, optimizer)
        history.append(loss)
        report = f"epoch {epoch:2d}: contrastive loss {loss:.4f}"
        if args.lfw_root is None:  # cheap on 900 digit pairs; LFW's 6,000 wait for the end
            report += f" | test ROC AUC {roc_auc(*pair_distances(model, test_loader)):.4f}"
        print(report)
    print(f"trained in {time.perf_counter() - start:.1f} s")

    distances, same = pair_distances(model, test_loader)
    result = kfold_verification(distances, same, folds=folds)
    auc = roc_auc(distances, same)
    fpr, tpr, _ = roc_curve(distances, same)
    n_folds = len(result.fold_accuracies)
    print(
        f"verification on {len(same)} test pairs: {n_folds}-fold accuracy "
        f"{result.accuracy:.4f} ± {result.std:.4f}, ROC AUC {auc:.4f}"
    )
    print(
        f"mean distance: matched {distances[same == 1].mean():.3f}, "
        f"mismatched {distances[same == 0].mean():.3f}"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    roc_path = args.out / "roc.png"
    title = f"ROC, {n_folds}-fold accuracy {result.accuracy:.2%} ± {result.std:.2%}, AUC {auc:.3f}"
    draw_roc(fpr, tpr, title).save(roc_path)
    checkpoint = args.out / "siamese.safetensors"
    npgrad.save(model.state_dict(), checkpoint)
    print(f"wrote {roc_path} and {checkpoint}")
    return {
        "accuracy": result.accuracy,
        "std": result.std,
        "auc": auc,
        "final_loss": history[-1] if history else float("nan"),
    }


if __name__ == "__main__":
    main()
