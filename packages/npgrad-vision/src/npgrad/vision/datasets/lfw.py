"""Labeled Faces in the Wild: ``LFWPeople`` (identities) and ``LFWPairs`` (the verification
protocol), read from a local copy with torchvision's layout::

    root/lfw-py/lfw_funneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg   (image_set="funneled")
    root/lfw-py/lfw/...                                              (image_set="original")
    root/lfw-py/lfw-deepfunneled/...                                 (image_set="deepfunneled")
    root/lfw-py/pairs.txt  pairsDevTrain.txt  pairsDevTest.txt
    root/lfw-py/people.txt peopleDevTrain.txt peopleDevTest.txt  lfw-names.txt

``root`` may also be the ``lfw-py`` directory itself. The files are those distributed with LFW
(http://vis-www.cs.umass.edu/lfw/); nothing is downloaded. ``pairs.txt`` starts with
``10 300`` (10 folds of 300 matched then 300 mismatched pairs); a matched line is
``name i j``, a mismatched one ``name1 i name2 j`` (tab- or space-separated). The
verification protocol is :func:`npgrad.vision.siamese.kfold_verification` with
``folds=LFWPairs(...).folds``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from npgrad.vision.datasets.folder import default_loader
from npgrad.vision.datasets.vision import VisionDataset

__all__ = ["LFWPairs", "LFWPeople"]

PathLike = str | os.PathLike[str]


class _LFW(VisionDataset):
    base_folder = "lfw-py"
    image_dirs = {"original": "lfw", "funneled": "lfw_funneled", "deepfunneled": "lfw-deepfunneled"}
    annot_suffix = {"10fold": "", "train": "DevTrain", "test": "DevTest"}
    names = "lfw-names.txt"

    def __init__(
        self,
        root: PathLike,
        split: str,
        image_set: str,
        view: str,
        transform: Callable[..., Any] | None,
        target_transform: Callable[..., Any] | None,
        loader: Callable[[str], Any],
    ) -> None:
        name = type(self).__name__
        if not isinstance(split, str) or split.lower() not in self.annot_suffix:
            raise ValueError(
                f"{name}: split must be one of '10fold', 'train', 'test', got {split!r}"
            )
        if not isinstance(image_set, str) or image_set.lower() not in self.image_dirs:
            raise ValueError(
                f"{name}: image_set must be one of 'original', 'funneled', 'deepfunneled', "
                f"got {image_set!r}"
            )
        base = os.path.expanduser(os.fspath(root))
        nested = os.path.join(base, self.base_folder)
        # torchvision's layout (root/lfw-py/...) or root being that directory already
        super().__init__(
            nested if os.path.isdir(nested) else base,
            transform=transform,
            target_transform=target_transform,
        )
        assert self.root is not None
        self.split = split.lower()
        self.image_set = image_set.lower()
        self.view = view
        self._loader = loader
        self.images_dir = os.path.join(self.root, self.image_dirs[self.image_set])
        self.labels_file = os.path.join(self.root, f"{view}{self.annot_suffix[self.split]}.txt")
        for what, path in (("image directory", self.images_dir), ("list", self.labels_file)):
            if not os.path.exists(path):
                raise FileNotFoundError(
                    f"{name}: the LFW {what} {path} does not exist. Download LFW from "
                    "http://vis-www.cs.umass.edu/lfw/ and arrange it as root/lfw-py/"
                    f"{self.image_dirs[self.image_set]}/<Name>/<Name>_0001.jpg with "
                    f"{os.path.basename(self.labels_file)} next to it."
                )

    def _get_path(self, identity: str, no: str | int) -> str:
        return os.path.join(self.images_dir, identity, f"{identity}_{int(no):04d}.jpg")

    def _read_lines(self) -> list[list[str]]:
        with open(self.labels_file, encoding="utf-8") as f:
            return [line.split() for line in f]

    def _bad(self, lineno: int, fields: list[str], expected: str) -> ValueError:
        return ValueError(
            f"{self.labels_file}, line {lineno + 1}: expected {expected}, got {' '.join(fields)!r}"
        )

    def _int(self, lines: list[list[str]], lineno: int, what: str, count: int = 1) -> list[int]:
        if lineno >= len(lines):
            raise ValueError(f"{self.labels_file}: ends at line {len(lines)}, expected {what}")
        fields = lines[lineno]
        if len(fields) != count or not all(f.isdigit() for f in fields):
            raise self._bad(lineno, fields, what)
        return [int(f) for f in fields]

    def __len__(self) -> int:
        return len(self.data)  # type: ignore[attr-defined]

    def extra_repr(self) -> str:
        return f"Alignment: {self.image_set}\nSplit: {self.split}"


class LFWPeople(_LFW):
    """LFW images labelled with the person's identity.

    Parameters
    ----------
    root : path
        Directory holding ``lfw-py/`` (or the ``lfw-py`` directory itself).
    split : {"10fold", "train", "test"}, optional
        ``people.txt`` (all 10 folds), ``peopleDevTrain.txt`` or ``peopleDevTest.txt``.
    image_set : {"funneled", "original", "deepfunneled"}, optional
        Which version of the images.
    transform, target_transform : callable, optional
        Applied to the image and to the class index.
    loader : callable, optional
        Opens an image (RGB ``PIL.Image`` by default).

    Attributes
    ----------
    data : list of str
        Image paths.
    targets : list of int
        Class index of each image.
    class_to_idx : dict
        Identity → index, from ``lfw-names.txt`` (or the sorted sub-directories of the image
        directory when that file is absent — the same order for a complete LFW tree).
    """

    def __init__(
        self,
        root: PathLike,
        split: str = "10fold",
        image_set: str = "funneled",
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(root, split, image_set, "people", transform, target_transform, loader)
        self.class_to_idx = self._get_classes()
        self.data, self.targets = self._get_people()

    def _get_classes(self) -> dict[str, int]:
        names_file = os.path.join(self.root or "", self.names)
        if os.path.isfile(names_file):
            with open(names_file, encoding="utf-8") as f:
                names = [line.split()[0] for line in f if line.strip()]
        else:
            with os.scandir(self.images_dir) as entries:
                names = sorted(e.name for e in entries if e.is_dir())
        return {name: i for i, name in enumerate(names)}

    def _get_people(self) -> tuple[list[str], list[int]]:
        lines = self._read_lines()
        if self.split == "10fold":
            n_folds, s = self._int(lines, 0, "the number of folds")[0], 1
        else:
            n_folds, s = 1, 0
        data: list[str] = []
        targets: list[int] = []
        for _ in range(n_folds):
            n_people = self._int(lines, s, "the number of people in the fold")[0]
            for lineno in range(s + 1, s + n_people + 1):
                if lineno >= len(lines):
                    raise ValueError(
                        f"{self.labels_file}: ends at line {len(lines)} inside a fold of "
                        f"{n_people} people"
                    )
                fields = lines[lineno]
                if len(fields) != 2 or not fields[1].isdigit():
                    raise self._bad(lineno, fields, "'name number_of_images'")
                identity, count = fields[0], int(fields[1])
                if identity not in self.class_to_idx:
                    raise ValueError(
                        f"{self.labels_file}, line {lineno + 1}: {identity!r} is not a known "
                        "identity (not in lfw-names.txt / the image directory)"
                    )
                for no in range(1, count + 1):
                    data.append(self._get_path(identity, no))
                    targets.append(self.class_to_idx[identity])
            s += n_people + 1
        return data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img: Any = self._loader(self.data[index])
        target: Any = self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return super().extra_repr() + f"\nClasses (identities): {len(self.class_to_idx)}"


class LFWPairs(_LFW):
    """LFW image pairs labelled same (1) or different (0) person: the verification benchmark.

    Samples are ``(image1, image2, same)``.

    Parameters
    ----------
    root : path
        Directory holding ``lfw-py/`` (or the ``lfw-py`` directory itself).
    split : {"10fold", "train", "test"}, optional
        ``pairs.txt`` (the 10-fold protocol, 6,000 pairs), ``pairsDevTrain.txt`` or
        ``pairsDevTest.txt``.
    image_set : {"funneled", "original", "deepfunneled"}, optional
        Which version of the images.
    transform : callable, optional
        Applied to each of the two images.
    target_transform : callable, optional
        Applied to the label.
    loader : callable, optional
        Opens an image (RGB ``PIL.Image`` by default).

    Attributes
    ----------
    data : list of (str, str)
        Image paths of each pair.
    targets : list of int
        1 for a matched pair, 0 for a mismatched one.
    pair_names : list of (str, str)
        The two identities of each pair.
    folds : list of int
        The fold (0–9) of each pair for ``split="10fold"``; all 0 otherwise. Pass it to
        :func:`~npgrad.vision.siamese.kfold_verification`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from PIL import Image
    >>> from npgrad.vision.datasets import LFWPairs
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("Ann", "Bob"):
    ...     (root / "lfw_funneled" / name).mkdir(parents=True)
    ...     for i in (1, 2):
    ...         Image.new("RGB", (8, 8)).save(root / "lfw_funneled" / name / f"{name}_000{i}.jpg")
    >>> _ = (root / "pairsDevTest.txt").write_text("1\\nAnn\\t1\\t2\\nAnn\\t1\\tBob\\t2\\n")
    >>> pairs = LFWPairs(root, split="test")
    >>> pairs.pair_names, pairs.targets
    ([('Ann', 'Ann'), ('Ann', 'Bob')], [1, 0])
    >>> a, b, same = pairs[0]
    >>> a.size, same
    ((8, 8), 1)
    """

    def __init__(
        self,
        root: PathLike,
        split: str = "10fold",
        image_set: str = "funneled",
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(root, split, image_set, "pairs", transform, target_transform, loader)
        self.pair_names, self.data, self.targets, self.folds = self._get_pairs()

    def _get_pairs(
        self,
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[int], list[int]]:
        lines = self._read_lines()
        if self.split == "10fold":
            n_folds, n_pairs = self._int(lines, 0, "'number_of_folds pairs_per_set'", 2)
        else:
            n_folds, n_pairs = 1, self._int(lines, 0, "the number of pairs per set")[0]
        expected_lines = 1 + 2 * n_folds * n_pairs
        if len(lines) < expected_lines:
            raise ValueError(
                f"{self.labels_file}: the header announces {n_folds} fold(s) of {n_pairs} "
                f"matched and {n_pairs} mismatched pairs ({expected_lines} lines), but the "
                f"file has {len(lines)} lines"
            )
        names: list[tuple[str, str]] = []
        data: list[tuple[str, str]] = []
        targets: list[int] = []
        folds: list[int] = []
        s = 1
        for fold in range(n_folds):
            for lineno in range(s, s + 2 * n_pairs):
                fields = lines[lineno]
                if lineno < s + n_pairs:
                    if len(fields) != 3 or not (fields[1].isdigit() and fields[2].isdigit()):
                        raise self._bad(lineno, fields, "a matched pair 'name i j'")
                    who = (fields[0], fields[0])
                    paths = (self._get_path(fields[0], fields[1]), self._get_path(*fields[::2]))
                    same = 1
                else:
                    if len(fields) != 4 or not (fields[1].isdigit() and fields[3].isdigit()):
                        raise self._bad(lineno, fields, "a mismatched pair 'name1 i name2 j'")
                    who = (fields[0], fields[2])
                    paths = (self._get_path(fields[0], fields[1]), self._get_path(*fields[2:]))
                    same = 0
                names.append(who)
                data.append(paths)
                targets.append(same)
                folds.append(fold)
            s += 2 * n_pairs
        return names, data, targets, folds

    def __getitem__(self, index: int) -> tuple[Any, Any, Any]:
        path1, path2 = self.data[index]
        img1: Any = self._loader(path1)
        img2: Any = self._loader(path2)
        target: Any = self.targets[index]
        if self.transform is not None:
            img1, img2 = self.transform(img1), self.transform(img2)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img1, img2, target
