"""Siamese networks for verification ("are these two images of the same class/person?").

* data: :class:`PairDataset` (balanced, reproducible ``(x1, x2, same)`` pairs from any labelled
  dataset) and :class:`TripletDataset` (``(anchor, positive, negative)``);
* model and losses: :class:`SiameseNetwork` (one backbone applied to both inputs),
  :class:`ContrastiveLoss` and ``TripletMarginLoss`` (re-exported from :mod:`npgrad.nn`);
* evaluation on distances: :func:`pair_accuracy`, :func:`best_threshold`, :func:`roc_curve`,
  :func:`roc_auc`, :func:`kfold_verification` (the LFW protocol) and :func:`pair_distances`.

Throughout, ``same`` is 1 for a matched pair and 0 for a mismatched one, and a pair is
*accepted* as matched at threshold ``t`` when its distance ``d <= t``.

Examples
--------
>>> import numpy as np
>>> from npgrad.vision.siamese import kfold_verification, roc_auc
>>> d = np.array([0.1, 0.2, 0.3, 0.9, 1.0, 1.2])
>>> same = np.array([1, 1, 1, 0, 0, 0])
>>> roc_auc(d, same)
1.0
>>> kfold_verification(d, same, folds=3).accuracy
1.0
"""

from npgrad.nn import TripletMarginLoss
from npgrad.vision.siamese.datasets import PairDataset, TripletDataset
from npgrad.vision.siamese.metrics import (
    VerificationResult,
    best_threshold,
    kfold_verification,
    pair_accuracy,
    roc_auc,
    roc_curve,
)
from npgrad.vision.siamese.network import (
    ContrastiveLoss,
    SiameseNetwork,
    contrastive_loss,
    pair_distances,
)

__all__ = [
    "ContrastiveLoss",
    "PairDataset",
    "SiameseNetwork",
    "TripletDataset",
    "TripletMarginLoss",
    "VerificationResult",
    "best_threshold",
    "contrastive_loss",
    "kfold_verification",
    "pair_accuracy",
    "pair_distances",
    "roc_auc",
    "roc_curve",
]
