"""download_url against a local HTTP server on 127.0.0.1; checksums; the progress bar."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from npgrad.vision.datasets.utils import (
    DownloadError,
    ProgressBar,
    calculate_md5,
    calculate_sha256,
    check_integrity,
    download_url,
)

PAYLOAD = bytes(range(256)) * 1000  # 256 kB: several read chunks
MD5 = hashlib.md5(PAYLOAD).hexdigest()
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# ---- checksums -------------------------------------------------------------------------------
def test_checksums_match_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert calculate_md5(path, chunk_size=1000) == MD5
    assert calculate_sha256(path) == SHA256


def test_check_integrity(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    assert not check_integrity(path)
    path.write_bytes(PAYLOAD)
    assert check_integrity(path)
    assert check_integrity(path, md5=MD5.upper(), sha256=SHA256)
    assert not check_integrity(path, md5="0" * 32)
    assert not check_integrity(path, md5=MD5, sha256="0" * 64)
    assert not check_integrity(tmp_path)  # a directory is not a file


# ---- downloads -------------------------------------------------------------------------------
def test_download_good_file(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    out = download_url(
        http_server.url("/f.bin"), tmp_path / "new", md5=MD5, sha256=SHA256, progress=False
    )
    assert out == tmp_path / "new" / "f.bin"
    assert out.read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "new") == ["f.bin"]  # no temporary file left


def test_download_uses_given_filename(http_server, tmp_path: Path) -> None:
    http_server.routes["/x?y=1"] = ("ok", PAYLOAD)
    out = download_url(http_server.url("/x?y=1"), tmp_path, filename="data.bin", progress=False)
    assert out.name == "data.bin" and out.read_bytes() == PAYLOAD


def test_verified_file_is_not_downloaded_again(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    download_url(http_server.url("/f.bin"), tmp_path, md5=MD5, progress=False)
    download_url(http_server.url("/f.bin"), tmp_path, md5=MD5, progress=False)
    assert http_server.hits["/f.bin"] == 1


def test_corrupt_existing_file_is_replaced(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    (tmp_path / "f.bin").write_bytes(b"garbage")
    download_url(http_server.url("/f.bin"), tmp_path, sha256=SHA256, progress=False)
    assert (tmp_path / "f.bin").read_bytes() == PAYLOAD
    assert http_server.hits["/f.bin"] == 1


def test_wrong_checksum_deletes_the_download_and_names_the_file(http_server, tmp_path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    with pytest.raises(DownloadError) as info:
        download_url(http_server.url("/f.bin"), tmp_path, md5="0" * 32, progress=False)
    message = str(info.value)
    assert "f.bin" in message and "MD5 mismatch" in message
    assert MD5 in message and "0" * 32 in message
    assert leftovers(tmp_path) == []


def test_wrong_sha256_is_detected(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    with pytest.raises(DownloadError, match="SHA256 mismatch for f.bin"):
        download_url(http_server.url("/f.bin"), tmp_path, md5=MD5, sha256="1" * 64, progress=False)
    assert leftovers(tmp_path) == []


def test_server_dying_mid_transfer_leaves_nothing(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("truncate", PAYLOAD)
    with pytest.raises(DownloadError) as info:
        download_url(http_server.url("/f.bin"), tmp_path, progress=False)  # no checksum given
    assert "closed after" in str(info.value) and f"of {len(PAYLOAD)} bytes" in str(info.value)
    assert leftovers(tmp_path) == []


def test_server_error_is_reported(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("error", b"")
    with pytest.raises(DownloadError, match="HTTP 500"):
        download_url(http_server.url("/f.bin"), tmp_path, progress=False)
    assert leftovers(tmp_path) == []


def test_first_mirror_down_second_used(http_server, dead_url, tmp_path: Path) -> None:
    http_server.routes["/good/f.bin"] = ("ok", PAYLOAD)
    out = download_url(
        [dead_url + "/f.bin", http_server.url("/missing/f.bin"), http_server.url("/good/f.bin")],
        tmp_path,
        md5=MD5,
        progress=False,
    )
    assert out.read_bytes() == PAYLOAD
    assert http_server.hits == {"/missing/f.bin": 1, "/good/f.bin": 1}


def test_bad_mirrors_then_good_one(http_server, tmp_path: Path) -> None:
    http_server.routes["/a/f.bin"] = ("truncate", PAYLOAD)
    http_server.routes["/b/f.bin"] = ("ok", PAYLOAD[::-1])  # wrong content
    http_server.routes["/c/f.bin"] = ("ok", PAYLOAD)
    urls = [http_server.url(f"/{m}/f.bin") for m in "abc"]
    out = download_url(urls, tmp_path, md5=MD5, progress=False)
    assert out.read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == ["f.bin"]


def test_every_mirror_failing_lists_each(http_server, dead_url, tmp_path: Path) -> None:
    http_server.routes["/b/f.bin"] = ("ok", b"wrong")
    urls = [dead_url + "/f.bin", http_server.url("/b/f.bin")]
    with pytest.raises(DownloadError) as info:
        download_url(urls, tmp_path, md5=MD5, progress=False)
    message = str(info.value)
    assert "Could not download f.bin" in message and "2 URL(s)" in message
    assert urls[0] in message and urls[1] in message and "MD5 mismatch" in message
    assert leftovers(tmp_path) == []


def test_interrupt_removes_the_temporary_file(http_server, tmp_path, monkeypatch) -> None:
    # Ctrl-C in the middle of a transfer: the partial file must not survive
    import npgrad.vision.datasets.utils as utils

    http_server.routes["/f.bin"] = ("ok", PAYLOAD)

    class Interrupting(ProgressBar):
        def update(self, n: int) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(utils, "ProgressBar", Interrupting)
    with pytest.raises(KeyboardInterrupt):
        download_url(http_server.url("/f.bin"), tmp_path, progress=io.StringIO())
    assert leftovers(tmp_path) == []


def test_file_urls_work(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    out = download_url(src.as_uri(), tmp_path / "dst", sha256=SHA256, progress=False)
    assert out.read_bytes() == PAYLOAD


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-empty list of URLs"):
        download_url([], tmp_path)
    with pytest.raises(ValueError, match="cannot infer a file name"):
        download_url("http://127.0.0.1/", tmp_path)


def test_progress_bar_written_to_stream(http_server, tmp_path: Path) -> None:
    http_server.routes["/f.bin"] = ("ok", PAYLOAD)
    out = io.StringIO()
    download_url(http_server.url("/f.bin"), tmp_path, progress=out)
    assert out.getvalue() == "f.bin: 100% |" + "#" * 30 + "| 256.0 kB/256.0 kB\n"


# ---- progress bar ----------------------------------------------------------------------------
class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_unknown_total() -> None:
    out = io.StringIO()
    bar = ProgressBar(None, "x", stream=out)
    bar.update(1500)
    bar.close()
    bar.close()  # idempotent
    assert out.getvalue() == "x: 1.5 kB\n"


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    out = Tty()
    bar = ProgressBar(4, "x", stream=out, width=4, min_interval=0.0)
    bar.update(1)
    bar.update(3)
    bar.close()
    assert out.getvalue() == (
        "\rx:  25% |#   | 1 B/4 B\rx: 100% |####| 4 B/4 B\rx: 100% |####| 4 B/4 B\n"
    )


def test_progress_bar_on_a_log_writes_one_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(10, "x", stream=out, width=10)
    for _ in range(10):
        bar.update(1)
    assert out.getvalue() == ""
    bar.close()
    assert out.getvalue().count("\n") == 1 and "\r" not in out.getvalue()
    assert os.linesep not in out.getvalue()[:-1]
