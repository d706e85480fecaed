"""Files that must never be seen half-written, and records that say cheaply whether a file
is still the one recorded: what the model export (and its manifest) is built on."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()




@contextmanager
def atomic_target(final: Path, suffix: str = ".onnx") -> Iterator[Path]:
    """A temporary path beside `final` (ending in `suffix`, which some writers read), moved
    over it only if the block succeeds: a crash or a failed export never leaves a truncated
    file under the real name."""
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".tmp-{final.stem}-", suffix=suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; the model is no secret
        os.replace(temporary, final)
        fsync_dir(final.parent)
    finally:
        temporary.unlink(missing_ok=True)


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_record(path: Path, sha256: str | None = None) -> dict[str, Any]:
    stat = path.stat()
    return {"name": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": sha256 or sha256_file(path)}


def still_matches(path: Path, record: dict[str, Any] | None) -> bool:
    """Size and mtime equal: trusted without reading (the cheap no-op). Same size but a new
    mtime (a copied folder, a reinstalled wheel): the hash decides."""
    if not record or not path.is_file():
        return False
    stat = path.stat()
    if stat.st_size != record.get("size"):
        return False
    if stat.st_mtime_ns == record.get("mtime_ns"):
        return True
    return sha256_file(path) == record.get("sha256")


def restamp(record: dict[str, Any], path: Path) -> bool:
    mtime = path.stat().st_mtime_ns
    if record.get("mtime_ns") == mtime:
        return False
    record["mtime_ns"] = mtime
    return True


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("format") == MANIFEST_FORMAT else {}


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.stem}-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(manifest, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(name, 0o644)
        os.replace(name, path)
        fsync_dir(path.parent)
    finally:
        Path(name).unlink(missing_ok=True)
