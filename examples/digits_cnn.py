"""The demo: train a small CNN on the bundled UCI handwritten digits, offline, in about a minute.

The network is the nptorch README's CNN (three 3x3 convolutions with 16/32/64 channels, each
followed by 2x2 max pooling, then 576-128-64-10 fully connected) with BatchNorm added, on the
8x8 digits upscaled to 24x24 (the size that README's 64 * 9 features assume). It trains with
Adam and a cosine learning-rate schedule on randomly shifted images, shows a progress bar per epoch, evaluates on the
held-out split, saves a safetensors checkpoint, reloads it into a fresh model and checks that
the accuracy is unchanged, and draws the learning curves and the confusion matrix as PNGs.

    python examples/digits_cnn.py [--epochs 15] [--batch-size 32] [--lr 2e-3] [--seed 0]
                                  [--out runs/digits]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

import npgrad
from npgrad import nn
from npgrad.data import DataLoader, transforms
from npgrad.optim import Adam
from npgrad.optim.lr_scheduler import CosineAnnealingLR
from npgrad.vision.datasets import Digits
from npgrad.vision.utils import confusion_matrix, draw_confusion_matrix, plot_history

try:  # a progress bar when tqdm is installed (nox -s demo installs it); plain lines otherwise
    from tqdm import tqdm
except ImportError:  # pragma: no cover - depends on the environment
    tqdm = None


class DigitsCNN(nn.Module):
    """The seed's CNN for 24x24 inputs, with BatchNorm after every convolution."""

    def __init__(self, num_classes: int = 10, dropout: float = 0.5) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for c_in, c_out in ((1, 16), (16, 32), (32, 64)):
            layers += [
                nn.Conv2d(c_in, c_out, 3, padding=1),
                nn.BatchNorm2d(c_out),
                nn.MaxPool2d(2),
                nn.ReLU(),
            ]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 9, 128),
            nn.Dropout(dropout),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x: npgrad.Tensor) -> npgrad.Tensor:
        return self.classifier(self.features(x))


def evaluate(
    model: nn.Module, loader: DataLoader, loss_fn: nn.Module
) -> tuple[float, float, np.ndarray]:
    """Mean loss, accuracy and the predicted labels over a loader, in eval mode."""
    model.eval()
    total_loss, correct, count, preds = 0.0, 0, 0, []
    with npgrad.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            pred = logits.argmax(dim=1)
            correct += int((pred == labels).sum().item())
            count += len(labels)
            preds.append(pred.numpy())
    return total_loss / count, correct / count, np.concatenate(preds)


def train_epoch(model, loader, loss_fn, optimizer, epoch: int, epochs: int) -> tuple[float, float]:
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    batches = loader if tqdm is None else tqdm(loader, desc=f"epoch {epoch}/{epochs}", leave=True)
    for images, labels in batches:
        optimizer.zero_grad()
        logits = model(images)
        loss = loss_fn(logits, labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += int((logits.argmax(dim=1) == labels).sum().item())
        count += len(labels)
        if tqdm is not None:
            batches.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.3f}")
    return total_loss / count, correct / count


def side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    out = Image.new("RGB", (left.width + right.width, max(left.height, right.height)), "white")
    out.paste(left, (0, 0))
    out.paste(right, (left.width, 0))
    return out


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--out", type=Path, default=Path("runs/digits"))
    args = parser.parse_args(argv)

    npgrad.manual_seed(args.seed)
    # light augmentation: shifts of up to 2 pixels (the digits are centred by the UCI scanner)
    augment = transforms.RandomCrop(24, padding=2)
    train_set = Digits(train=True, upscale=24, transform=augment)
    test_set = Digits(train=False, upscale=24)
    generator = npgrad.Generator().manual_seed(args.seed)
    train_loader = DataLoader(
        train_set,
        batch_size=args.batch_size,
        shuffle=True,
        generator=generator,
        num_workers=args.workers,
    )
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"digits: {len(train_set)} training and {len(test_set)} test images, 24x24")

    model = DigitsCNN()
    print(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=args.lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)
    history: dict[str, list[float]] = {
        k: [] for k in ("train loss", "test loss", "train acc", "test acc")
    }
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = train_epoch(
            model, train_loader, loss_fn, optimizer, epoch, args.epochs
        )
        test_loss, test_acc, _ = evaluate(model, test_loader, loss_fn)
        scheduler.step()
        for key, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
            history[key].append(value)
        print(
            f"epoch {epoch:2d}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
            f"test loss {test_loss:.4f} acc {test_acc:.4f} | lr {scheduler.get_last_lr()[0]:.2e}"
        )
    print(f"trained in {time.perf_counter() - start:.1f} s")

    _, test_acc, predictions = evaluate(model, test_loader, loss_fn)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / "digits_cnn.safetensors"
    npgrad.save(model.state_dict(), checkpoint)
    reloaded = DigitsCNN()
    reloaded.load_state_dict(npgrad.load(checkpoint))
    _, reloaded_acc, reloaded_predictions = evaluate(reloaded, test_loader, loss_fn)
    if not np.array_equal(predictions, reloaded_predictions):
        raise SystemExit("the reloaded checkpoint predicts differently from the trained model")
    print(f"checkpoint {checkpoint}: reloaded, test accuracy {reloaded_acc:.4f} (unchanged)")

    losses = plot_history({k: history[k] for k in ("train loss", "test loss")}, title="loss")
    accuracies = plot_history({k: history[k] for k in ("train acc", "test acc")}, title="accuracy")
    side_by_side(losses, accuracies).save(args.out / "curves.png")
    matrix = confusion_matrix(test_set.targets.numpy(), predictions, num_classes=10)
    draw_confusion_matrix(matrix, args.out / "confusion.png", title=f"test accuracy {test_acc:.2%}")
    print(f"wrote {args.out / 'curves.png'} and {args.out / 'confusion.png'}")
    print(f"final test accuracy: {test_acc:.4f}")
    return test_acc


if __name__ == "__main__":
    main()
