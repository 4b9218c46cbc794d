"""Tests never read or write the user's data dir, not even from a session fixture: pytest in a
copy of the project whose `.refuge/` holds an ONNX export (what `make serve` leaves), run from a
shell that points REFUGE_* at it, gives its session fixtures temp dirs and leaves `.refuge/` as
it was. (Before, a session fixture ran before the autouse isolation and found the export.)"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from kb.onnx_embed import export_path
from kb.settings import PROJECT_ROOT, get_settings, minilm_model

PROBE = '''
import pytest
from kb.embedder import get_embedder
from kb.settings import PROJECT_ROOT, get_settings, minilm_model

@pytest.fixture(scope="session")
def seen():
    settings = get_settings()  # from the environment, set up before any test's autouse fixture
    return settings, get_embedder(minilm_model(), settings).backend  # MiniLM would find an ONNX export

def test_probe(seen):
    settings, backend = seen
    for path in (settings.data_dir, settings.onnx_dir, settings.embed_cache_path):
        assert PROJECT_ROOT / ".refuge" not in [path, *path.parents], path
    assert backend == "torch"  # the export in .refuge/onnx was not found
'''


def _files(folder):
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_a_session_fixture_never_sees_the_default_data_dir(tmp_path):
    project = tmp_path / "project"
    (project / "kb").mkdir(parents=True)
    for module in (PROJECT_ROOT / "kb").glob("*.py"):
        shutil.copy(module, project / "kb")
    (project / "tests").mkdir()
    shutil.copy(PROJECT_ROOT / "tests" / "conftest.py", project / "tests")
    (project / "tests" / "test_probe.py").write_text(PROBE)
    default = project / ".refuge"
    stub = export_path(minilm_model(), default / "onnx")  # an ONNX export a MiniLM `make serve` left
    stub.parent.mkdir(parents=True)
    stub.write_bytes(b"an export left by make serve")
    (default / "manifest.json").write_text("{}")
    before = _files(default)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFUGE_")}
    env.update(PYTHONPATH=str(project), REFUGE_DATA_DIR=str(default), REFUGE_ONNX_DIR=str(default / "onnx"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_probe.py"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    assert _files(default) == before


def test_each_test_has_its_own_data_dir_and_the_shared_cache(tmp_path):
    from tests.conftest import shared_cache

    settings = get_settings()
    assert settings.data_dir == tmp_path / "data"
    assert settings.embed_cache_path == shared_cache()
    assert PROJECT_ROOT / ".refuge" not in settings.onnx_dir.parents
