"""ONNX graphs whose weights sit in a side file, which ONNX Runtime memory-maps.

A single-file graph is read into memory and its weights copied out of it, so a process holds
them twice while the session loads; with the weights apart they are mapped instead. Measured
on this machine (one session each): the embedding model's peak RSS 102 MiB against 189 MiB,
the reader's 70 against 94, at the same speed and with the same outputs. The single files stay
the record (their hashes name the model); the mapped copies are derived from them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rag.index.files import (
    MANIFEST_FORMAT,
    file_record,
    fsync_dir,
    read_manifest,
    still_matches,
    write_manifest,
)


def data_path(graph: Path) -> Path:
    """Where a mapped graph's weights are."""
    return graph.with_name(graph.name + ".data")


def write_mapped(source: Path, target: Path) -> None:
    """Save `source` again as `target`, its weights in `data_path(target)`.

    Both files are written in a private folder beside the target (onnx appends tensors to
    whatever data file it finds, so two processes writing one file would interleave their
    weights), made readable by all (onnx creates the data file 0600) and synced, then renamed
    into place, the data first and the graph last. Two processes making the same copy write the
    same bytes, so whichever rename wins, the copy is whole."""
    import onnx

    model = onnx.load(str(source))
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tmp-mapped-") as scratch:
        graph = Path(scratch) / target.name
        onnx.save_model(model, str(graph), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=data_path(target).name,
                        size_threshold=1024)
        for written in (data_path(graph), graph):
            os.chmod(written, 0o644)  # the model is no secret
            with open(written, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(data_path(graph), data_path(target))
        os.replace(graph, target)
    fsync_dir(target.parent)


def mapped_copy(source: Path, folder: Path) -> Path:
    """The mapped copy of `source` in `folder`, made on first use (needs `onnx`, about a
    second) and then found by a stat of the files."""
    target = folder / source.name
    record_path = folder / f"{source.name}.json"
    record = read_manifest(record_path)
    if (still_matches(source, record.get("source")) and still_matches(target, record.get("graph"))
            and still_matches(data_path(target), record.get("data"))):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    write_mapped(source, target)
    write_manifest(record_path, {"format": MANIFEST_FORMAT, "source": file_record(source),
                                 "graph": file_record(target),
                                 "data": file_record(data_path(target))})
    return target
