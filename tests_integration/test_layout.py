"""Install layouts: npgrad spans five distributions and must import the same way however installed.

Builds the five wheels, checks their metadata and file lists, and installs them into fresh venvs:
all wheels, npgrad-core alone, all editable, and editable/wheel mixes. Needs `uv` on PATH; run by
`nox -s layout` (marked `layout`, so the other sessions deselect it).
"""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytestmark = pytest.mark.layout

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "nn", "optim", "data", "vision")
SUBPACKAGES = PACKAGES[1:]

# Run inside each venv: which npgrad modules import, from where, and which distributions exist.
PROBE = """
import json, importlib, sysconfig
from importlib.metadata import distributions
result = {"distributions": sorted(d.metadata["Name"].lower() for d in distributions())}
result["site"] = sysconfig.get_paths()["purelib"]
import npgrad
result["npgrad"] = npgrad.__file__
for sub in ("nn", "optim", "data", "vision"):
    try:
        module = importlib.import_module("npgrad." + sub)        # import npgrad.nn
        exec("from npgrad import " + sub, {})                     # from npgrad import nn
        result[sub] = module.__file__
    except ImportError as exc:
        result[sub] = type(exc).__name__ + ": " + str(exc)
    try:
        getattr(npgrad, sub)
    except ImportError as exc:                                    # the friendly message
        result[sub + ".from"] = str(exc)
print(json.dumps(result))
"""


def run(*args: object) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def uv() -> str:
    path = shutil.which("uv")
    if path is None:
        pytest.fail("the layout tests need `uv` on PATH (nox -s layout installs it)")
    return path


@pytest.fixture(scope="module")
def wheels(uv: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    for pkg in PACKAGES:
        run(
            uv, "build", "--wheel", "--quiet", "--out-dir", out, ROOT / "packages" / f"npgrad-{pkg}"
        )
    return {pkg: next(out.glob(f"npgrad_{pkg}-*.whl")) for pkg in PACKAGES}


def source(pkg: str) -> Path:
    return ROOT / "packages" / f"npgrad-{pkg}"


def install(uv: str, tmp_path: Path, *requirements: object) -> dict[str, str]:
    """Install `requirements` in one command into a fresh venv; return the probe's findings."""
    venv = tmp_path / "venv"
    run(uv, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    run(uv, "pip", "install", "--quiet", "--python", python, *requirements)
    return json.loads(run(python, "-c", PROBE))


def assert_all_import(found: dict[str, str], expected_dirs: dict[str, Path]) -> None:
    for sub in SUBPACKAGES:
        assert Path(found[sub]).parent == expected_dirs[sub] / "npgrad" / sub, found[sub]


# --- the wheels themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("pkg", PACKAGES)
def test_wheel_metadata_has_exact_pins_and_no_paths(pkg: str, wheels: dict[str, Path]) -> None:
    declared = tomllib.loads((source(pkg) / "pyproject.toml").read_text())["project"]
    with zipfile.ZipFile(wheels[pkg]) as wheel:
        metadata = wheel.read(f"npgrad_{pkg}-{declared['version']}.dist-info/METADATA").decode()
    requires = re.findall(r"^Requires-Dist: (.*)$", metadata, flags=re.MULTILINE)
    assert not [r for r in requires if "@" in r], requires
    pins = sorted(re.sub(r"[\s()]", "", r) for r in requires if r.startswith("npgrad-"))
    expected = sorted(d for d in declared["dependencies"] if d.startswith("npgrad-"))
    assert pins == expected
    assert all("==" in pin for pin in pins)


@pytest.mark.parametrize("pkg", PACKAGES)
def test_wheel_holds_only_its_own_files(pkg: str, wheels: dict[str, Path]) -> None:
    with zipfile.ZipFile(wheels[pkg]) as wheel:
        files = [n for n in wheel.namelist() if ".dist-info/" not in n]
    owned = "npgrad/" if pkg == "core" else f"npgrad/{pkg}/"
    foreign = tuple(f"npgrad/{sub}/" for sub in SUBPACKAGES if sub != pkg)
    assert all(f.startswith(owned) and not f.startswith(foreign) for f in files), files
    assert ("npgrad/__init__.py" in files) == (pkg == "core")
    assert f"{owned}py.typed" in files
    assert not [f for f in files if "__pycache__" in f or "/tests/" in f]


# --- installs ------------------------------------------------------------------------------------


def test_all_wheels(uv: str, wheels: dict[str, Path], tmp_path: Path) -> None:
    found = install(uv, tmp_path, *wheels.values())
    assert Path(found["npgrad"]).parent == Path(found["site"]) / "npgrad"
    assert_all_import(found, dict.fromkeys(SUBPACKAGES, Path(found["site"])))


def test_core_alone_pulls_only_numpy_and_safetensors(uv: str, tmp_path: Path) -> None:
    found = install(uv, tmp_path, source("core"))
    assert found["distributions"] == ["npgrad-core", "numpy", "safetensors"]
    for sub in SUBPACKAGES:
        assert found[sub].startswith("ModuleNotFoundError"), found[sub]
        assert f"pip install npgrad-{sub}" in found[f"{sub}.from"]


def test_all_editable(uv: str, tmp_path: Path) -> None:
    found = install(uv, tmp_path, *[arg for pkg in PACKAGES for arg in ("-e", source(pkg))])
    assert Path(found["npgrad"]).parent == source("core") / "src" / "npgrad"
    assert_all_import(found, {sub: source(sub) / "src" for sub in SUBPACKAGES})


def test_core_editable_others_wheels(uv: str, wheels: dict[str, Path], tmp_path: Path) -> None:
    others = [wheels[sub] for sub in SUBPACKAGES]
    found = install(uv, tmp_path, "-e", source("core"), *others)
    assert Path(found["npgrad"]).parent == source("core") / "src" / "npgrad"
    assert_all_import(found, dict.fromkeys(SUBPACKAGES, Path(found["site"])))


def test_core_wheel_others_editable(uv: str, wheels: dict[str, Path], tmp_path: Path) -> None:
    others = [arg for sub in SUBPACKAGES for arg in ("-e", source(sub))]
    found = install(uv, tmp_path, wheels["core"], *others)
    assert Path(found["npgrad"]).parent == Path(found["site"]) / "npgrad"
    assert_all_import(found, {sub: source(sub) / "src" for sub in SUBPACKAGES})
