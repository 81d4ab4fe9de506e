"""Shared helpers for the peer tests: where the meshes are and how to run the native CLI."""
import json
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = (ROOT / ".." / "shared" / "meshes").resolve()
PUBLIC = SHARED / "public"
MESH_SUFFIXES = {".stl", ".obj", ".ply", ".3mf"}


def vitrine_bin() -> str:
    path = os.environ.get("VITRINE_BIN") or str(ROOT / ".build" / "debug" / "vitrine")
    if not os.path.exists(path):
        pytest.fail(f"vitrine binary not found at {path}: run `swift build --product vitrine` first")
    return path


def all_mesh_files():
    return sorted(p for p in PUBLIC.rglob("*") if p.suffix.lower() in MESH_SUFFIXES)


def manifest_counts():
    """File (relative to public/) -> expected triangle count after placing 3MF build items."""
    counts = {}
    for line in (SHARED / "MANIFEST.md").read_text().splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if not m:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        tri = cells[5]
        placed = re.search(r"placed ([\d,]+)", tri)
        value = placed.group(1) if placed else re.match(r"([\d,]+)", tri).group(1)
        counts[m.group(1)] = int(value.replace(",", ""))
    return counts


@pytest.fixture(scope="session")
def native_reports():
    """Runs `vitrine inspect --json` once over every shared mesh; file -> report (or None if it failed)."""
    files = all_mesh_files()
    proc = subprocess.run([vitrine_bin(), "inspect", "--json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    reports = {r["file"]: r for r in json.loads(proc.stdout)}
    return {str(f): reports.get(str(f)) for f in files}, proc
