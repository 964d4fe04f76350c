"""The installed wheel, not the source tree: build it, install it into a fresh virtual
environment, and run the example from another folder.

Offline: the wheel is built with the installed build backend (``python -m build --no-isolation``,
hatchling from the dev extras) and installed without an index (``--no-deps --no-index``); the fresh
environment borrows this environment's dependencies (numpy, pandas …) through a ``.pth`` line,
so what is tested is the wheel's own content: the package, its data files, the factor sets and
the ``carbon`` console script.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT


def _missing_backend() -> str | None:
    for module, what in (("hatchling", "the build backend hatchling"),
                         ("build", "the build frontend (python -m build)")):
        if importlib.util.find_spec(module) is None:
            return (f"{what} is not installed in this environment; install the dev extras "
                    "(pip install -e '.[dev]') to build the wheel offline")
    return None


@pytest.mark.slow
def test_wheel_installs_and_runs_the_example_from_elsewhere(tmp_path):
    missing = _missing_backend()
    if missing:
        pytest.skip(missing)
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                            "--outdir", str(dist), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob("carbon-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (Path(site) / "zz_dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                                "--no-deps", "--no-index", str(wheel)],
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLE, elsewhere / "inventory")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    carbon = env_dir / "bin" / "carbon"
    out = subprocess.run([str(carbon), "compute", "inventory", "--format", "json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["carbon_version"] != "0.0.0+source"
    # the bank's 2024 electricity, as published (shared/reference/jinshang-bank.md)
    assert round(result["years"]["2024"]["by_source"]["electricity"]["quantity"], 2) == \
        11124077.63
    listing = subprocess.run([str(carbon), "factors", "list"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, check=True)
    assert "gbt2589-2020" in listing.stdout
    # the package and its factor sets come from the wheel, inside the new environment
    where = subprocess.run([str(py), "-c", "import carbon; from carbon.factors import "
                            "bundled_dir; print(carbon.__file__); print(bundled_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert all(p.startswith(str(env_dir)) for p in where), where
    assert (Path(where[1]) / "mee-grid-2022" / "factors.csv").is_file()
    # the message catalogues travel inside the wheel too
    chinese = subprocess.run([str(carbon), "compute", "inventory", "--format", "json", "--lang",
                              "zh-Hant"], cwd=elsewhere, env=env, capture_output=True, text=True,
                             check=True)
    assert "列活動數據為估算值" in json.loads(chinese.stdout)["warnings"][0]["message"]
    # the web page's templates and static files travel too
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert {"carbon/web/templates/base.html", "carbon/web/static/carbon.css",
            "carbon/web/static/carbon.js"} <= names
