"""The recipes the README and the repository give: they parse, and say what they claim."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def readme_yaml(marker: str) -> dict[str, object]:
    """The README's YAML block whose first line is ``marker``."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    [block] = [b for b in blocks if b.startswith(marker)]
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


def test_pre_commit_hook_runs_fix_check() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "mypy-wsplugin-fix"
    assert hook["entry"] == "mypy-wsplugin fix --check"
    assert hook["language"] == "python"


def test_readme_pre_commit_config() -> None:
    config = readme_yaml("# .pre-commit-config.yaml")
    repos = config["repos"]
    assert isinstance(repos, list)
    mirrors, local = repos
    assert mirrors["repo"] == "https://github.com/pre-commit/mirrors-mypy"
    assert mirrors["hooks"] == [{"id": "mypy", "additional_dependencies": ["mypy-wsplugin"]}]
    assert local["hooks"][0]["entry"] == "mypy-wsplugin fix --check"


def test_readme_github_actions_restores_the_mypy_cache() -> None:
    workflow = readme_yaml("# .github/workflows/types.yml")
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    steps = jobs["mypy"]["steps"]
    [cache] = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".mypy_cache"
    assert "restore-keys" in cache["with"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[-2:] == ["mypy", "mypy-wsplugin fix --check"]


def test_license_is_mit_as_declared() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
