"""The ``weights=`` argument of the model builders: npgrad-vision ships no pretrained weights."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def no_pretrained(builder: str, weights: Any, kwargs: dict[str, Any]) -> None:
    """Raise a clear error for ``weights`` other than None (or the legacy ``pretrained=True``);
    removes ``pretrained=False`` / ``progress`` from ``kwargs``."""
    pretrained = kwargs.pop("pretrained", False)
    kwargs.pop("progress", None)
    if weights is not None or pretrained:
        asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
        raise ValueError(
            f"{builder}: {asked} is not supported: npgrad.vision does not download pretrained "
            f"weights. Build the model with weights=None and load a torchvision state dict "
            f"yourself: model.load_state_dict(npgrad.load('{builder}.pth')) (the parameter "
            "names are torchvision's)."
        )
