"""ONNX graphs whose weights sit in a side file, which ONNX Runtime memory-maps.

A single-file graph is read into memory and its weights copied out of it, so a process holds
them twice while the session loads; with the weights apart they are mapped instead. Measured
on this machine (one session each): the embedding model's peak RSS 102 MiB against 189 MiB,
the reader's 70 against 94, at the same speed and with the same outputs. The single files stay
the record (their hashes name the model); the mapped copies are derived from them.
"""

from __future__ import annotations

from pathlib import Path

from rag.index.files import (
    MANIFEST_FORMAT,
    atomic_target,
    file_record,
    read_manifest,
    still_matches,
    write_manifest,
)


def data_path(graph: Path) -> Path:
    """Where a mapped graph's weights are."""
    return graph.with_name(graph.name + ".data")


def write_mapped(source: Path, target: Path) -> None:
    """Save `source` again as `target`, its weights in `data_path(target)`. The data file is
    written first and the graph last (atomically), so a graph on disk has its weights."""
    import onnx

    model = onnx.load(str(source))
    data_path(target).unlink(missing_ok=True)  # onnx appends to an existing data file
    with atomic_target(target) as temporary:
        onnx.save_model(model, str(temporary), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=data_path(target).name,
                        size_threshold=1024)


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
