"""The package as users get it: `python -m build` makes the sdist and the wheel, and the wheel,
installed into a fresh virtualenv, runs: --version, validate on the example content, and the
JSON Schemas (built from contentsync/schemas.py, the one source) come out as in schemas/.

About 25 s here (build 5 s, install 20 s from the pip cache): in the default run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_built_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    assert wheel.name.startswith(f"contentsync-{version}-cp3")  # canonical_fast is compiled
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"contentsync/cli.py", "contentsync/schemas.py", "contentsync/sandbox/app.py"} <= names
    assert any(n.startswith("contentsync/canonical_fast.") and n.endswith(".so") for n in names)
    assert "contentsync/canonical_fast.pyi" in names
    assert not any(n.endswith((".c", ".pyx")) for n in names)
    assert not any(n.startswith("tests/") for n in names)
    with tarfile.open(sdist) as archive:
        assert f"contentsync-{version}/pyproject.toml" in archive.getnames()
        assert f"contentsync-{version}/contentsync/canonical_fast.pyx" in archive.getnames()

    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", venv, cwd=tmp_path).returncode == 0
    pip = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    contentsync = venv / "bin" / "contentsync"

    shown = _run(contentsync, "--version", cwd=tmp_path)
    assert shown.stdout.strip() == f"contentsync, version {version}"

    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    valid = _run(contentsync, "validate", cwd=project)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.startswith("Valid:")

    written = _run(contentsync, "schemas", "out", cwd=project)
    assert written.returncode == 0, written.stderr
    shipped = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
    assert sorted(p.name for p in (project / "out").glob("*.json")) == shipped
    for name in shipped:
        assert (project / "out" / name).read_bytes() == (ROOT / "schemas" / name).read_bytes()
