"""docs/ARCHITECTURE.md tells a contributor where things live; every file or folder it
names must exist, or the map sends people to places that are gone."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
# A path is written in backticks and ends in .py or /; it is relative to the repository
# or, inside the core's description, to autograd_core/.
PATH = re.compile(r"`([A-Za-z_][\w./-]*(?:\.py|/))`")


def named_paths() -> list[str]:
    return sorted(set(PATH.findall(DOC.read_text(encoding="utf-8"))))


def test_architecture_doc_names_paths():
    assert len(named_paths()) >= 10


def test_every_path_named_in_architecture_doc_exists():
    missing = [p for p in named_paths()
               if not any((base / p).exists() for base in (ROOT, ROOT / "autograd_core"))]
    assert missing == []
