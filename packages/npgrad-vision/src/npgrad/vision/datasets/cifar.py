"""CIFAR-10 and CIFAR-100 from the "python version" archives, in torchvision's layout::

    root/cifar-10-batches-py/data_batch_1 … data_batch_5, test_batch, batches.meta
    root/cifar-100-python/train, test, meta

Every file is MD5-checked before it is read, as torchvision does. With ``download=True`` the
``.tar.gz`` archive is fetched by :func:`~npgrad.vision.datasets.utils.download_url` (each URL
of :attr:`CIFAR10.urls` in turn, MD5 verified, written atomically) and extracted with
``tarfile``'s ``"data"`` filter (no absolute paths, links or files outside ``root``).

The batches are pickles. They are read with a restricted unpickler that only rebuilds plain
containers and NumPy arrays, so a tampered file cannot run code (torchvision uses plain
``pickle.load``).

Samples are ``(PIL.Image of mode "RGB", int label)``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Sequence
from typing import IO, Any

import numpy as np
from PIL import Image

from npgrad.vision.datasets.utils import check_integrity, download_url
from npgrad.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "load_cifar_batch"]

PathLike = str | os.PathLike[str]

# what a CIFAR batch pickle needs (NumPy arrays, by either NumPy's module name)
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a CIFAR batch: only NumPy arrays and "
                "plain containers are expected"
            )
        return super().find_class(module, name)


def load_cifar_batch(path: PathLike) -> dict[str, Any]:
    """Read one CIFAR batch pickle (Python 2 or 3) as a dict with ``str`` keys.

    Raises
    ------
    ValueError
        When the file is not such a pickle (the message names the file).

    Examples
    --------
    >>> import pathlib, pickle, tempfile
    >>> import numpy as np
    >>> from npgrad.vision.datasets.cifar import load_cifar_batch
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "batch"
    >>> _ = path.write_bytes(pickle.dumps({"labels": [3], "data": np.zeros((1, 3072), np.uint8)}))
    >>> sorted(load_cifar_batch(path))
    ['data', 'labels']
    """
    try:
        with open(path, "rb") as f:
            entry = _ArrayUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        raise ValueError(f"{os.fspath(path)}: not a CIFAR batch pickle: {e}") from e
    if not isinstance(entry, dict):
        raise ValueError(f"{os.fspath(path)}: not a CIFAR batch (a {type(entry).__name__})")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in entry.items()}


def _extract_into(archive: str, root: str, shown_root: str) -> None:
    with tarfile.open(archive, "r:*") as tar:
        if hasattr(tarfile, "data_filter"):
            # the "data" filter refuses absolute names, "..", links out of root, device files
            tar.extractall(root, filter="data")
            return
        # Python < 3.10.12 has no filters: accept only plain files and directories inside root
        base = os.path.realpath(root)
        for member in tar.getmembers():
            target = os.path.realpath(os.path.join(base, member.name))
            if (
                not (member.isfile() or member.isdir())
                or os.path.commonpath([base, target]) != base
            ):
                raise tarfile.TarError(
                    f"{archive}: refusing to extract {member.name!r} (outside {shown_root} or "
                    "not a regular file)"
                )
        tar.extractall(root)


def _move_into(src: str, dst: str) -> None:
    for name in os.listdir(src):
        source, target = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(source) and os.path.isdir(target) and not os.path.islink(target):
            _move_into(source, target)
        else:
            os.replace(source, target)


def _extract(archive: str, root: str) -> None:
    """Extract into a staging folder inside ``root``, then move the files into place: a
    corrupt, refused or interrupted archive leaves nothing half-extracted."""
    os.makedirs(root, exist_ok=True)
    staging = tempfile.mkdtemp(dir=root, prefix=".extract-")
    try:
        try:
            _extract_into(archive, staging, root)
        except tarfile.TarError:
            raise
        except (EOFError, OSError, zlib.error) as e:
            raise tarfile.ReadError(
                f"{archive}: corrupt or truncated archive ({type(e).__name__}: {e}); nothing "
                "was extracted"
            ) from e
        _move_into(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class CIFAR10(VisionDataset):
    """The CIFAR-10 tiny images: 50,000 training and 10,000 test 32×32 colour images of 10
    classes.

    Parameters
    ----------
    root : path
        Directory holding ``cifar-10-batches-py/`` (or where the archive is downloaded).
    train : bool, optional
        The five training batches, or the test batch.
    transform, target_transform : callable, optional
        Applied to the ``PIL.Image`` and to the int label.
    download : bool, optional
        Download and extract the archive unless the files are present and intact.
    urls : sequence of str, optional
        URLs of the archive to try in order instead of :attr:`urls`.
    progress : bool, optional
        Show a progress bar while downloading.

    Attributes
    ----------
    data : numpy.ndarray
        uint8 images ``(N, 32, 32, 3)`` (height, width, channels), as torchvision.
    targets : list of int
        The labels.
    classes : list of str
        The class names (from the meta file).

    Raises
    ------
    RuntimeError
        When a file is missing or fails its MD5 check ("use download=True").

    Examples
    --------
    >>> from npgrad.vision.datasets import CIFAR10
    >>> CIFAR10.base_folder, CIFAR10.filename
    ('cifar-10-batches-py', 'cifar-10-python.tar.gz')
    """

    base_folder = "cifar-10-batches-py"
    urls: Sequence[str] = ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",)
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list: Sequence[tuple[str, str]] = (
        ("data_batch_1", "c99cafc152244af753f735de768cd75f"),
        ("data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"),
        ("data_batch_3", "54ebc095f3ab1f0389bbae665268c751"),
        ("data_batch_4", "634d18415352ddfa80567beed471001a"),
        ("data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"),
    )
    test_list: Sequence[tuple[str, str]] = (("test_batch", "40351d587109b95175f43aff81a1287e"),)
    meta: dict[str, str] = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }

    def __init__(
        self,
        root: PathLike,
        train: bool = True,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        download: bool = False,
        urls: Sequence[str] | None = None,
        progress: bool | IO[str] = True,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = bool(train)
        if urls is not None:
            if isinstance(urls, str) or not urls:
                raise ValueError(
                    f"{type(self).__name__}: urls must be a non-empty list of URLs, got {urls!r}"
                )
            self.urls = list(urls)
        self.progress = progress
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(
                f"Dataset not found or corrupted in {self._folder()}. "
                "You can use download=True to download it"
            )
        images: list[np.ndarray] = []
        targets: list[int] = []
        for name, _ in self.train_list if self.train else self.test_list:
            entry = load_cifar_batch(os.path.join(self._folder(), name))
            data = np.asarray(entry["data"], dtype=np.uint8)
            labels = entry["labels"] if "labels" in entry else entry["fine_labels"]
            if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
                raise ValueError(
                    f"{os.path.join(self._folder(), name)}: expected (N, 3072) uint8 data and N "
                    f"labels, got data {data.shape} and {len(labels)} labels"
                )
            images.append(data)
            targets.extend(int(t) for t in labels)
        self.data: np.ndarray = np.vstack(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.targets: list[int] = targets
        self._load_meta()

    def _folder(self) -> str:
        assert self.root is not None
        return os.path.join(self.root, self.base_folder)

    def _load_meta(self) -> None:
        path = os.path.join(self._folder(), self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError(
                f"Dataset metadata file {path} not found or corrupted. "
                "You can use download=True to download it"
            )
        self.classes: list[str] = list(load_cifar_batch(path)[self.meta["key"]])
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_integrity(self) -> bool:
        return all(
            check_integrity(os.path.join(self._folder(), name), md5)
            for name, md5 in (*self.train_list, *self.test_list)
        )

    def download(self) -> None:
        """Download and extract the archive, unless every file is present and intact."""
        if self._check_integrity():
            return
        assert self.root is not None
        archive = download_url(
            list(self.urls), self.root, self.filename, md5=self.tgz_md5, progress=self.progress
        )
        _extract(os.fspath(archive), self.root)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img: Any = Image.fromarray(self.data[index])
        target: Any = self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like :class:`CIFAR10` with 100 fine classes (``fine_labels``); the files live
    in ``root/cifar-100-python/``.

    Examples
    --------
    >>> from npgrad.vision.datasets import CIFAR100
    >>> CIFAR100.meta["key"], [name for name, _ in CIFAR100.train_list]
    ('fine_label_names', ['train'])
    """

    base_folder = "cifar-100-python"
    urls: Sequence[str] = ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",)
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list: Sequence[tuple[str, str]] = (("train", "16019d7e3df5f24257cddd939b257f8d"),)
    test_list: Sequence[tuple[str, str]] = (("test", "f0ef6b0ae62326f3e7ffdfab6717acfc"),)
    meta: dict[str, str] = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
