"""The npgrad-vision distribution: how ``npgrad.vision`` is found, versioned and what it imports."""

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import npgrad
import npgrad.vision


def test_subpackage_resolves_through_core() -> None:
    from npgrad import vision

    assert vision is npgrad.vision
    assert Path(vision.__file__).parts[-3:] == ("npgrad", "vision", "__init__.py")


def test_distribution_version_matches_core() -> None:
    assert version("npgrad-vision") == version("npgrad-core") == npgrad.__version__


def test_imports_no_package_it_must_not_depend_on() -> None:
    # DESIGN §2: dependencies between the packages never go the other way. A fresh interpreter,
    # because other tests in this process may have imported anything.
    code = "import json, sys, npgrad.vision; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[1] for name in json.loads(run.stdout) if name.startswith("npgrad.")}
    assert loaded.isdisjoint(["optim"]), f"npgrad.vision imported {sorted(loaded)}"
