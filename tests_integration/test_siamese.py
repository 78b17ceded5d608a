"""Siamese verification across packages: vision's pairs, network, loss and metrics, trained with
nn layers, an optim optimizer and data's DataLoader."""

from __future__ import annotations

import numpy as np

import npgrad
from npgrad import nn
from npgrad.data import DataLoader
from npgrad.optim import Adam
from npgrad.vision.datasets import Digits
from npgrad.vision.siamese import (
    ContrastiveLoss,
    PairDataset,
    SiameseNetwork,
    kfold_verification,
    pair_distances,
    roc_auc,
)


def _network() -> SiameseNetwork:
    npgrad.manual_seed(0)
    features = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )
    return SiameseNetwork(features, head=nn.Linear(32 * 2 * 2, 16))


def test_siamese_training_separates_matched_from_mismatched_digit_pairs():
    train = PairDataset(Digits(train=True), positive_ratio=0.5, seed=0)
    test_digits = Digits(train=False)
    test = PairDataset(test_digits, positive_ratio=0.5, seed=100, length=2 * len(test_digits))
    test_loader = DataLoader(test, batch_size=450)
    model = _network()
    untrained_auc = roc_auc(*pair_distances(model, test_loader))

    optimizer = Adam(model.parameters(), lr=3e-3)
    loss_fn = ContrastiveLoss(margin=1.0)
    for epoch in range(2):
        train.set_epoch(epoch)  # fresh partners each epoch
        loader = DataLoader(
            train, batch_size=64, shuffle=True, generator=npgrad.Generator().manual_seed(epoch)
        )
        for x1, x2, same in loader:
            optimizer.zero_grad()
            e1, e2 = model(x1, x2)
            loss_fn(e1, e2, same).backward()
            optimizer.step()

    distances, same = pair_distances(model, test_loader)
    assert len(distances) == 900 and same.sum() == 450
    auc = roc_auc(distances, same)
    assert auc >= 0.9, auc
    assert auc > untrained_auc + 0.05, (untrained_auc, auc)
    # the same separation seen by the pixels alone is weaker: the embedding learned something
    pixels = test_digits.data.numpy().reshape(len(test_digits), -1)
    pixel_distances = np.linalg.norm(pixels[test.pairs[:, 0]] - pixels[test.pairs[:, 1]], axis=1)
    assert auc > roc_auc(pixel_distances, same)
    assert distances[same == 1].mean() < distances[same == 0].mean()
    result = kfold_verification(distances, same, folds=10)
    assert len(result.fold_accuracies) == 10 and result.accuracy >= 0.8, result
