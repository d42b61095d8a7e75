"""Persistence of the index: a native FAISS file plus JSON metadata (no pickle)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import faiss

from index.dense import read_index, write_index
from index.errors import IndexMissingError, IndexStaleError

FORMAT_VERSION = 2
DENSE_FILE = "dense.faiss"
META_FILE = "meta.json"


def fingerprint(content_files: list[Path], encoder: str, chunk_max_chars: int) -> str:
    """Hash of everything the index depends on: content files, encoder and chunking settings."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}|{encoder}|{chunk_max_chars}".encode())
    for path in content_files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def save(directory: Path, dense: faiss.Index, meta: dict[str, Any]) -> None:
    """Write the index atomically: files go to a temporary name first, then are renamed."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp_dense = directory / f".{DENSE_FILE}.tmp"
    tmp_meta = directory / f".{META_FILE}.tmp"
    write_index(dense, tmp_dense)
    tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp_dense, directory / DENSE_FILE)
    os.replace(tmp_meta, directory / META_FILE)


def load(directory: Path, expected_fingerprint: str | None) -> tuple[faiss.Index, dict[str, Any]]:
    """Read the index; raise IndexMissingError or IndexStaleError when it cannot be used."""
    meta_path, dense_path = directory / META_FILE, directory / DENSE_FILE
    if not meta_path.exists() or not dense_path.exists():
        raise IndexMissingError(str(directory))
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexStaleError(str(directory)) from exc
    if meta.get("format") != FORMAT_VERSION or (
        expected_fingerprint is not None and meta.get("fingerprint") != expected_fingerprint
    ):
        raise IndexStaleError(str(directory))
    return read_index(dense_path), meta
