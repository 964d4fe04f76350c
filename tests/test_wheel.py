"""The installed wheel, not the source tree: build it, install it into a fresh virtual
environment, and run the example from another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv

import pytest

from tests.conftest import EXAMPLE, ROOT


@pytest.mark.slow
def test_wheel_installs_and_runs_the_example_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("carbon-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLE, elsewhere / "inventory")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    carbon = env_dir / "bin" / "carbon"
    out = subprocess.run([str(carbon), "compute", "inventory", "--format", "json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["carbon_version"] != "0.0.0+source"
    assert "2024" in result["years"]
    listing = subprocess.run([str(carbon), "factors", "list"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, check=True)
    assert "gbt2589-2020" in listing.stdout
    # the factor sets travel inside the wheel
    where = subprocess.run([str(py), "-c", "from carbon.factors import bundled_dir; "
                            "print(bundled_dir())"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, check=True).stdout
    assert "site-packages" in where
    # the web page's templates and static files travel too; its packages are the serve extra
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert {"carbon/web/templates/base.html", "carbon/web/static/carbon.css",
            "carbon/web/static/carbon.js"} <= names
    served = subprocess.run([str(carbon), "serve", "--data", "data"], cwd=elsewhere, env=env,
                            capture_output=True, text=True)
    assert served.returncode == 2 and "pip install 'carbon[serve]'" in served.stderr
