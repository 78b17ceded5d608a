"""The workspace agrees with itself: one version, exact pins, DESIGN's dependency graph and layout.

Run by `nox -s versions` (and by the integration sessions). Reads every pyproject.toml of the repo
and compares it with what is installed.
"""

import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

import npgrad

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# DESIGN §2: which npgrad packages each package depends on (and never the other way).
GRAPH = {
    "core": set(),
    "nn": {"core"},
    "optim": {"core"},
    "data": {"core"},
    "vision": {"core", "nn", "data"},
}
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def pyproject(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


PROJECTS = {pkg: pyproject(ROOT / "packages" / f"npgrad-{pkg}" / "pyproject.toml") for pkg in GRAPH}
VERSION = PROJECTS["core"]["project"]["version"]


def test_the_packages_directory_holds_exactly_the_five_packages() -> None:
    found = {p.name for p in (ROOT / "packages").iterdir() if p.is_dir()}
    assert found == {f"npgrad-{pkg}" for pkg in GRAPH}


@pytest.mark.parametrize("pkg", GRAPH)
def test_every_package_has_one_version(pkg: str) -> None:
    assert PROJECTS[pkg]["project"]["name"] == f"npgrad-{pkg}"
    assert PROJECTS[pkg]["project"]["version"] == VERSION


def test_core_module_version_matches_pyproject() -> None:
    assert npgrad.__version__ == VERSION


@pytest.mark.parametrize("pkg", GRAPH)
def test_installed_distributions_match_the_sources(pkg: str) -> None:
    try:
        installed = version(f"npgrad-{pkg}")
    except PackageNotFoundError:
        pytest.skip(f"npgrad-{pkg} is not installed in this environment")
    assert installed == VERSION


@pytest.mark.parametrize("pkg", GRAPH)
def test_npgrad_dependencies_are_exact_pins_following_the_design(pkg: str) -> None:
    pins = {}
    for requirement in PROJECTS[pkg]["project"]["dependencies"]:
        match = re.fullmatch(r"npgrad-(\w+)(.*)", requirement)
        if match:
            pins[match[1]] = match[2]
    assert set(pins) == GRAPH[pkg]
    assert all(spec == f"=={VERSION}" for spec in pins.values()), pins


@pytest.mark.parametrize("pkg", GRAPH)
def test_build_and_python_metadata(pkg: str) -> None:
    meta = PROJECTS[pkg]
    assert meta["build-system"]["requires"] == ["poetry-core>=2.5,<3"]
    assert meta["build-system"]["build-backend"] == "poetry.core.masonry.api"
    assert meta["project"]["requires-python"] == ">=3.10"
    classifiers = meta["project"]["classifiers"]
    versions = {c.rsplit(" ", 1)[1] for c in classifiers if re.search(r"Python :: 3\.\d+$", c)}
    assert versions == set(PYTHONS)
    # Path dependencies here would leak into the wheels as `npgrad-core @ file:///...`.
    assert set(meta["tool"]["poetry"]) == {"packages"}


@pytest.mark.parametrize("pkg", GRAPH)
def test_source_layout(pkg: str) -> None:
    base = ROOT / "packages" / f"npgrad-{pkg}"
    module = "npgrad" if pkg == "core" else f"npgrad/{pkg}"
    assert PROJECTS[pkg]["tool"]["poetry"]["packages"] == [{"include": module, "from": "src"}]
    for path in ("README.md", "tests", f"src/{module}/__init__.py", f"src/{module}/py.typed"):
        assert (base / path).exists(), f"{base.name} lacks {path}"
    # A second npgrad/__init__.py would shadow core's in editable installs.
    assert (base / "src/npgrad/__init__.py").exists() == (pkg == "core")


def test_root_workspace_installs_the_five_packages_editable() -> None:
    root = pyproject(ROOT / "pyproject.toml")
    assert root["tool"]["poetry"]["package-mode"] is False
    deps = root["tool"]["poetry"]["dependencies"]
    for pkg in GRAPH:
        assert deps[f"npgrad-{pkg}"] == {"path": f"packages/npgrad-{pkg}", "develop": True}


def test_no_package_index_and_no_lock_file() -> None:
    for path in [ROOT / "pyproject.toml", *(ROOT / "packages").glob("*/pyproject.toml")]:
        assert "source" not in pyproject(path).get("tool", {}).get("poetry", {}), path
    locks = [ROOT / "poetry.lock", ROOT / "uv.lock", *(ROOT / "packages").glob("*/*.lock")]
    assert not [lock for lock in locks if lock.exists()]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(python3 -m venv .*nox)$", readme, flags=re.MULTILINE)
    assert commands, "README.md has no test command line ending in `nox`"
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[0] in [line.strip() for line in ci_lines]
    assert "nox -s demo" in readme
