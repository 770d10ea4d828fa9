"""Execute the course notebooks in a chosen mode; print wall time and peak memory of each.

    python benchmarks/run_notebooks.py --mode fast               # measure, change nothing
    python benchmarks/run_notebooks.py --mode full --write       # re-execute and store outputs

With ``--write`` the notebook is saved with its fresh outputs, as the course commits them:
executed top to bottom in one kernel, stderr outputs (TensorFlow's log lines) removed.
Peak memory is the kernel process's peak resident set size (``VmHWM`` on Linux).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_notebook(
    path: Path, mode: str, timeout: int
) -> tuple[nbformat.NotebookNode, float, float | None]:
    """Execute one notebook in ``mode``; return it with outputs, its wall time and peak MiB."""
    os.environ["RNN_COURSE_MODE"] = mode  # the kernel inherits the environment
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}  # run in the notebook's folder
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources)
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss_mib(pid)
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
    return nb, seconds, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--mode", choices=("fast", "full"), default="fast")
    parser.add_argument("--write", action="store_true", help="store the outputs in the notebook")
    parser.add_argument("--timeout", type=int, default=1800, help="per-cell timeout, seconds")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        parser.error("no notebooks found")

    rows = []
    for path in paths:
        print(f"running {path.name} ({args.mode} mode) ...", file=sys.stderr, flush=True)
        nb, seconds, peak = run_notebook(path, args.mode, args.timeout)
        if args.write:
            nbformat.write(nb, path)
        rows.append((path.name, seconds, peak))

    print("\n| notebook | mode | wall time (s) | kernel peak RSS (MiB) |")
    print("|---|---|---:|---:|")
    for name, seconds, peak in rows:
        peak_text = f"{peak:.0f}" if peak is not None else "n/a"
        print(f"| {name} | {args.mode} | {seconds:.1f} | {peak_text} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
