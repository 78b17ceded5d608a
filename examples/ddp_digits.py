"""Data-parallel training of the digits CNN on several processes with MPI (npgrad.distributed).

    pip install npgrad-core[mpi] mpich      # mpi4py and an MPI runtime, from PyPI wheels
    mpiexec -n 2 python examples/ddp_digits.py [--epochs 10] [--batch-size 64] [--lr 3e-3]
    python examples/ddp_digits.py            # the same run in one process

Every rank runs this script. ``DistributedSampler`` gives each rank a disjoint share of the
1,347 training images per epoch, ``DistributedDataParallel`` averages the gradients across
ranks during backward, so with the same *global* batch size (split evenly among the ranks) and
learning rate the N-process run follows the single-process one (up to the order of the samples
and the dropout masks) and reaches the same test accuracy. The test set is split among the
ranks too and the correct counts are summed with ``all_reduce``. Only rank 0 prints.
"""

from __future__ import annotations

import argparse
import time

import npgrad
import npgrad.distributed as dist
from npgrad import nn
from npgrad.data import DataLoader, DistributedSampler, Subset, transforms
from npgrad.nn.parallel import DistributedDataParallel
from npgrad.optim import Adam
from npgrad.optim.lr_scheduler import CosineAnnealingLR
from npgrad.vision.datasets import Digits


class DigitsCNN(nn.Module):
    """Three 3x3 convolutions (16, 32, 64 channels) with BatchNorm, 2x2 max pooling and ReLU,
    then 576-128-10 fully connected: examples/digits_cnn.py's network, one layer shorter.

    Under DistributedDataParallel each rank normalises with its own batch's statistics; the
    running statistics are rank 0's, broadcast at every forward (``broadcast_buffers``).
    """

    def __init__(self, num_classes: int = 10, dropout: float = 0.25) -> None:
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
            nn.Linear(64 * 3 * 3, 128),
            nn.Dropout(dropout),
            nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x: npgrad.Tensor) -> npgrad.Tensor:
        return self.classifier(self.features(x))


def log(*args: object) -> None:
    if dist.get_rank() == 0:
        print(*args, flush=True)


def evaluate(model: nn.Module, test_set: Digits, batch_size: int) -> tuple[float, float]:
    """Loss and accuracy on the whole test set: each rank scores every world_size-th image."""
    rank, world = dist.get_rank(), dist.get_world_size()
    share = Subset(test_set, range(rank, len(test_set), world))  # disjoint, no padding
    model.eval()
    totals = npgrad.zeros(3, dtype=npgrad.float64)  # loss sum, correct, count
    with npgrad.no_grad():
        for images, labels in DataLoader(share, batch_size=batch_size):
            logits = model(images)
            loss = nn.functional.cross_entropy(logits, labels, reduction="sum")
            correct = (logits.argmax(dim=1) == labels).sum()
            totals += npgrad.tensor([loss.item(), correct.item(), len(labels)])
    dist.all_reduce(totals)  # the sums over every rank's share
    loss_sum, correct, count = totals.tolist()
    return loss_sum / count, correct / count


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64, help="global, over all ranks")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} does not split among {world} ranks")
    per_rank = args.batch_size // world

    # shifts of up to 2 pixels, as in examples/digits_cnn.py (the scanner centred the digits)
    train_set = Digits(train=True, upscale=24, transform=transforms.RandomCrop(24, padding=2))
    test_set = Digits(train=False, upscale=24)
    sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=per_rank, sampler=sampler, drop_last=True)

    npgrad.manual_seed(args.seed)
    model = DistributedDataParallel(DigitsCNN())  # every rank starts from rank 0's weights
    npgrad.manual_seed(args.seed + 1 + rank)  # a different dropout mask on every rank
    optimizer = Adam(model.parameters(), lr=args.lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    log(
        f"{world} rank(s), global batch {args.batch_size} ({per_rank} per rank), "
        f"{len(loader)} steps per epoch"
    )

    train_time, seen, accuracy = 0.0, 0.0, 0.0
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a new order, the same on every rank
        model.train()
        running = npgrad.zeros(2, dtype=npgrad.float64)  # loss sum, count
        start = time.perf_counter()
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()  # gradients averaged over the ranks here
            optimizer.step()
            running += npgrad.tensor([loss.item() * len(labels), len(labels)])
        seconds = time.perf_counter() - start
        train_time += seconds
        scheduler.step()
        dist.all_reduce(running)
        seen += running[1].item()
        test_loss, accuracy = evaluate(model.module, test_set, batch_size=256)
        log(
            f"epoch {epoch:2d}  train loss {running[0].item() / running[1].item():.4f}  "
            f"test loss {test_loss:.4f}  test accuracy {100 * accuracy:.2f}%  "
            f"{running[1].item() / seconds:.0f} samples/s"
        )
    log(
        f"final test accuracy {100 * accuracy:.2f}% after {train_time:.1f} s of training "
        f"({seen / train_time:.0f} samples/s over {world} rank(s))"
    )
    dist.destroy_process_group()
    return accuracy


if __name__ == "__main__":
    main()
