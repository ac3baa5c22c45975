"""The built wheel carries the grammar, and `leaddsl check` runs from a fresh venv."""
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out),
                        str(ROOT)], capture_output=True, text=True)
    if r.returncode != 0 and "hatchling" in (r.stderr + r.stdout):
        # no hatchling in this environment: let pip fetch the build backend
        r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    [whl] = out.glob("leaddsl-*.whl")
    return whl


def test_wheel_contains_the_grammar(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "leaddsl/grammar/leaddsl.lark" in names
    for wing in ("front", "runtime", "lint", "io", "cli"):
        assert f"leaddsl/{wing}/__init__.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_fresh_venv_runs_check(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # install our wheel alone into the fresh venv; its dependencies come from this environment
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    deps = sysconfig.get_paths()["purelib"]
    Path(site, "_deps.pth").write_text(deps + "\n" + sysconfig.get_paths()["platlib"] + "\n")
    lead = tmp_path / "x.lead"
    lead.write_text("field revenue: number\nlead big when revenue >= 300m\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    code = textwrap.dedent("""
        import sys, leaddsl
        assert 'site-packages' in leaddsl.__file__, leaddsl.__file__
        from leaddsl.cli import main
        sys.argv = ['leaddsl', 'check', sys.argv[1]]
        main()
    """)
    r = subprocess.run([str(py), "-c", code, str(lead)], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 1, r.stderr
    assert "E101" in r.stdout and "300M" in r.stdout
