"""Downloading and checking dataset files.

:func:`download_url` tries a list of mirrors in order, streams into a hidden temporary file in
the target directory, verifies the size announced by the server and the MD5 / SHA-256
checksums, and only then renames the file into place (``os.replace`` is atomic on one file
system). Whatever goes wrong — a server error, a connection dropped mid-transfer, a checksum
mismatch, Ctrl-C — the temporary file is removed, so a file with the final name is always
complete and verified. A small built-in progress bar (no ``tqdm`` dependency) reports progress
on ``stderr``.

Examples
--------
>>> import pathlib, tempfile
>>> from npgrad.vision.datasets.utils import calculate_md5, check_integrity
>>> path = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> _ = path.write_bytes(b"hello")
>>> calculate_md5(path)
'5d41402abc4b2a76b9719d911017c592'
>>> check_integrity(path, md5="5d41402abc4b2a76b9719d911017c592")
True
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DownloadError",
    "ProgressBar",
    "calculate_md5",
    "calculate_sha256",
    "check_integrity",
    "download_url",
]

PathLike = str | os.PathLike[str]

_CHUNK = 1 << 16


def _digest(path: PathLike, algorithm: str, chunk_size: int = 1 << 20) -> str:
    # usedforsecurity=False: these checksums detect corruption, they are not a security
    # boundary, and FIPS-mode Pythons refuse MD5 otherwise
    h = hashlib.new(algorithm, usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            h.update(block)
    return h.hexdigest()


def calculate_md5(fpath: PathLike, chunk_size: int = 1 << 20) -> str:
    """The hexadecimal MD5 digest of a file."""
    return _digest(fpath, "md5", chunk_size)


def calculate_sha256(fpath: PathLike, chunk_size: int = 1 << 20) -> str:
    """The hexadecimal SHA-256 digest of a file."""
    return _digest(fpath, "sha256", chunk_size)


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _check_digests(where: str, md5: Any, sha256: Any) -> None:
    """A checksum must be a hexadecimal string of its algorithm's length: a typo is reported
    before anything is read or downloaded, not as a mismatch afterwards."""
    for name, value, length in (("md5", md5, 32), ("sha256", sha256, 64)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{where}: {name} must be a hexadecimal string, got {value!r}")
        if len(value) != length or not _HEX_DIGITS.issuperset(value):
            raise ValueError(f"{where}: {name} must be {length} hexadecimal digits, got {value!r}")


def check_integrity(fpath: PathLike, md5: str | None = None, sha256: str | None = None) -> bool:
    """True when ``fpath`` is a file and matches every checksum given (none given: it exists).

    Examples
    --------
    >>> from npgrad.vision.datasets.utils import check_integrity
    >>> check_integrity("/nonexistent/file")
    False
    """
    _check_digests("check_integrity", md5, sha256)
    if not os.path.isfile(fpath):
        return False
    if md5 is not None and calculate_md5(fpath) != md5.lower():
        return False
    return sha256 is None or calculate_sha256(fpath) == sha256.lower()


class DownloadError(RuntimeError):
    """A file could not be downloaded from any of its URLs; the message lists every attempt."""


class _AttemptFailed(Exception):
    """One URL failed (short transfer, checksum mismatch); the next mirror is tried."""


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


class ProgressBar:
    """A one-line text progress bar: ``name:  42% |######        | 1.1 MB/2.6 MB``.

    On a terminal the line is redrawn in place (at most every ``min_interval`` seconds); on any
    other stream (a log file, a CI console) only the final line is written, so logs stay clean.

    Parameters
    ----------
    total : int or None
        Expected number of bytes; ``None`` when unknown (only the count is shown).
    desc : str
        What is being transferred (the file name).
    stream : file-like, optional
        Where to write; ``sys.stderr`` by default.
    width : int, optional
        Number of characters of the bar itself.

    Examples
    --------
    >>> import io
    >>> from npgrad.vision.datasets.utils import ProgressBar
    >>> out = io.StringIO()
    >>> bar = ProgressBar(2000, "file.gz", stream=out, width=10)
    >>> bar.update(1000)
    >>> bar.close()
    >>> out.getvalue()
    'file.gz:  50% |#####     | 1.0 kB/2.0 kB\\n'
    """

    def __init__(
        self,
        total: int | None,
        desc: str,
        stream: IO[str] | None = None,
        width: int = 30,
        min_interval: float = 0.1,
    ) -> None:
        self.total = total
        self.desc = desc
        self.n = 0
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.min_interval = min_interval
        isatty = getattr(self.stream, "isatty", None)
        self._live = bool(isatty and isatty())
        self._last = 0.0
        self._closed = False

    def render(self) -> str:
        """The current line (without the carriage return)."""
        if self.total:
            frac = min(self.n / self.total, 1.0)
            filled = int(frac * self.width)
            bar = "#" * filled + " " * (self.width - filled)
            return f"{self.desc}: {frac * 100:3.0f}% |{bar}| {_human(self.n)}/{_human(self.total)}"
        return f"{self.desc}: {_human(self.n)}"

    def update(self, n: int) -> None:
        """Record ``n`` more bytes."""
        self.n += n
        if self._live:
            now = time.monotonic()
            if now - self._last >= self.min_interval:
                self._last = now
                self.stream.write("\r" + self.render())
                self.stream.flush()

    def close(self) -> None:
        """Write the final state and end the line (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.stream.write(("\r" if self._live else "") + self.render() + "\n")
        self.stream.flush()


def _expected_length(resp: Any) -> int | None:
    value = resp.headers.get("Content-Length")
    if value is None or resp.headers.get("Content-Encoding") not in (None, "identity"):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _fetch(
    url: str,
    fpath: Path,
    md5: str | None,
    sha256: str | None,
    progress: bool | IO[str],
    timeout: float,
) -> None:
    """Download ``url`` to ``fpath`` through a temporary file; raise on any failure."""
    fd, tmp = tempfile.mkstemp(dir=fpath.parent, prefix=f".{fpath.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "npgrad-vision"})
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                total = _expected_length(resp)
                bar = None
                if progress:
                    stream = None if progress is True else progress
                    bar = ProgressBar(total, fpath.name, stream=stream)  # type: ignore[arg-type]
                hashers = {
                    name: hashlib.new(name, usedforsecurity=False)
                    for name, want in (("md5", md5), ("sha256", sha256))
                    if want is not None
                }
                received = 0
                try:
                    while chunk := resp.read(_CHUNK):
                        out.write(chunk)
                        for h in hashers.values():
                            h.update(chunk)
                        received += len(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
                finally:
                    if bar is not None:
                        bar.close()
            # http.client returns a short body without an error when the server closes the
            # connection early: compare with the announced length ourselves
            if total is not None and received != total:
                raise _AttemptFailed(
                    f"the connection closed after {received} of {total} bytes of {fpath.name}"
                )
            out.flush()
            os.fsync(out.fileno())
        for name, want in (("md5", md5), ("sha256", sha256)):
            if want is None:
                continue
            got = hashers[name].hexdigest()
            if got != want.lower():
                raise _AttemptFailed(
                    f"{name.upper()} mismatch for {fpath.name}: expected {want.lower()}, got "
                    f"{got}; the downloaded file was deleted"
                )
        os.replace(tmp, fpath)
    except BaseException:
        # a KeyboardInterrupt too: never leave a half-written file behind
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def download_url(
    url: str | Sequence[str],
    root: PathLike,
    filename: str | None = None,
    md5: str | None = None,
    sha256: str | None = None,
    *,
    progress: bool | IO[str] = True,
    timeout: float = 60.0,
) -> Path:
    """Download a file, trying each URL (mirror) in turn, and verify it.

    Parameters
    ----------
    url : str or sequence of str
        The URL, or several URLs of the same file tried in order until one succeeds
        (``http``, ``https``, ``ftp`` and ``file`` URLs).
    root : path
        Directory to save the file in (created if needed).
    filename : str, optional
        Name to save it under; the last path component of the first URL by default.
    md5, sha256 : str, optional
        Expected checksums (hexadecimal). A file that does not match any given checksum is
        deleted and the next URL is tried.
    progress : bool or file-like, optional
        Show a progress bar on ``stderr`` (``True``), on the given stream, or not at all.
    timeout : float, optional
        Seconds to wait for the server on connection and on each read.

    Returns
    -------
    pathlib.Path
        The path of the verified file. A file already present that passes the checksums is
        not downloaded again.

    Raises
    ------
    DownloadError
        When every URL failed; the message names the file and each URL's error. No file
        with the final name, and no temporary file, is left behind.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets.utils import download_url
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = src.write_bytes(b"hello")
    >>> out = download_url([src.as_uri()], tempfile.mkdtemp(), progress=False,
    ...                    md5="5d41402abc4b2a76b9719d911017c592")
    >>> out.read_bytes()
    b'hello'
    """
    urls = [url] if isinstance(url, str) else list(url) if isinstance(url, Sequence) else []
    if not urls or not all(isinstance(u, str) for u in urls):
        raise ValueError(f"download_url: expected a URL or a non-empty list of URLs, got {url!r}")
    _check_digests("download_url", md5, sha256)
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"download_url: root must be a path, got {root!r}")
    if not isinstance(progress, bool) and not callable(getattr(progress, "write", None)):
        raise TypeError(f"download_url: progress must be a bool or a text stream, got {progress!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"download_url: timeout must be a positive number, got {timeout!r}")
    if filename is None:
        filename = os.path.basename(urllib.parse.urlparse(urls[0]).path)
        if not filename:
            raise ValueError(f"download_url: cannot infer a file name from {urls[0]!r}")
    dest = Path(os.path.expanduser(root))
    dest.mkdir(parents=True, exist_ok=True)
    fpath = dest / filename
    if check_integrity(fpath, md5, sha256):
        return fpath
    failures = []
    for u in urls:
        try:
            _fetch(u, fpath, md5, sha256, progress, timeout)
            return fpath
        except urllib.error.HTTPError as e:
            failures.append(f"{u}: HTTP {e.code} {e.reason}")
        except urllib.error.URLError as e:
            failures.append(f"{u}: {e.reason}")
        except (OSError, http.client.HTTPException, ValueError, _AttemptFailed) as e:
            failures.append(f"{u}: {type(e).__name__}: {e}" if not str(e) else f"{u}: {e}")
    tried = "\n  ".join(failures)
    raise DownloadError(
        f"Could not download {filename} into {dest} from any of {len(urls)} URL(s):\n  {tried}\n"
        "No partial file was kept; check the network or the mirror list and retry."
    )
