"""``VisionDataset``: the common base of the image datasets (torchvision's ``VisionDataset``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from npgrad.data import Dataset

__all__ = ["StandardTransform", "VisionDataset"]


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(
        self,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
    ) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:  # noqa: A002
        if self.transform is not None:
            input = self.transform(input)  # noqa: A001
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format(transform: Any, head: str) -> list[str]:
        lines = repr(transform).splitlines()
        return [f"{head}{lines[0]}"] + [f"{' ' * len(head)}{line}" for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class of the datasets here: stores ``root`` and the transforms, and gives the
    torchvision ``repr``.

    Parameters
    ----------
    root : path or None
        The dataset's directory (``~`` is expanded); ``None`` for data shipped in the package.
    transforms : callable, optional
        A function of ``(input, target)``; exclusive with the two below.
    transform, target_transform : callable, optional
        Functions applied to the input and to the target.

    Examples
    --------
    >>> from npgrad.vision.datasets import VisionDataset
    >>> class Three(VisionDataset):
    ...     def __len__(self):
    ...         return 3
    >>> print(Three("~/data", transform=str))  # doctest: +ELLIPSIS
    Dataset Three
        Number of datapoints: 3
        Root location: .../data
        StandardTransform
    Transform: <class 'str'>
    """

    _repr_indent = 4

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        transforms: Callable[..., Any] | None = None,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
    ) -> None:
        self.root = os.path.expanduser(root) if root is not None else None
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError(
                "Only transforms or transform/target_transform can be passed as argument"
            )
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def extra_repr(self) -> str:
        """Dataset-specific lines of the repr (e.g. ``Split: Train``)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            # one entry: torchvision indents only its first line
            body.append(repr(self.transforms))
        lines = [f"Dataset {self.__class__.__name__}"] + [
            " " * self._repr_indent + line for line in body
        ]
        return "\n".join(lines)
