"""The project's files agree with each other: pyproject, environment.yml, README, Makefile."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment_pip_lines():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*- pip:\s*$", line))
    return [
        re.sub(r"^\s*-\s*", "", line).strip().strip("\"'")
        for line in lines[start + 1 :]
        if line.strip().startswith("-")
    ]


def test_environment_yml_installs_this_package_with_every_extra():
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    pip_lines = _environment_pip_lines()
    assert len(pip_lines) == 1, f"the pip section should only install the package: {pip_lines}"
    match = re.fullmatch(r'-e "?\.\[(?P<extras>[\w,]+)\]"?', pip_lines[0])
    assert match, f"unexpected pip line {pip_lines[0]!r}"
    assert set(match["extras"].split(",")) == extras


def test_environment_python_is_allowed_by_pyproject():
    text = (ROOT / "environment.yml").read_text()
    version = re.search(r"-\s*python=(\d+)\.(\d+)", text)
    assert version, "environment.yml must pin a Python minor version"
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert tuple(map(int, version.groups())) >= tuple(map(int, minimum.groups()))


def test_makefile_installs_the_same_extras():
    """`make install` / `make test` install EXTRAS; `make site` adds SITE_EXTRAS: every extra."""
    makefile = (ROOT / "Makefile").read_text()
    extras = re.search(r"^EXTRAS := ([\w,]+)$", makefile, re.M)
    site_extras = re.search(r"^SITE_EXTRAS := ([\w,]+)$", makefile, re.M)
    assert extras and site_extras, "the Makefile should name EXTRAS and SITE_EXTRAS"
    extras, site_extras = set(extras.group(1).split(",")), set(site_extras.group(1).split(","))
    assert not extras & site_extras, f"in both EXTRAS and SITE_EXTRAS: {extras & site_extras}"
    assert extras | site_extras == set(PYPROJECT["project"]["optional-dependencies"])
    # The site's install resolves both sets together, so that they stay compatible in one .venv.
    assert '-e ".[$(EXTRAS),$(SITE_EXTRAS)]"' in makefile


def test_dependencies_are_ranges_not_pins():
    deps = list(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        deps += extra
    pinned = [d for d in deps if "==" in d]
    assert not pinned, f"exact pins stop Colab from installing over its own packages: {pinned}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    # then the website's build and browser test, which the README describes too
    assert re.search(r"^make site-test$", ci, re.M) and "make site-test" in readme
    assert ci.index("make test") < ci.index("make site-test")


def test_package_data_is_in_the_wheel(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    import zipfile

    (wheel,) = tmp_path.glob("rnn_course-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnn_course/data/registry.json" in names
    assert "rnn_course/data/checksums/tiny_shakespeare.sha256" in names
    package_files = [n for n in names if n.startswith("rnn_course/")]
    assert not [n for n in package_files if n.endswith((".txt", ".wav", ".gz", ".jsonl"))]
