"""One set of stored vectors (passages, title-prefixed sentences, or sentences alone), kept
in the form its size calls for.

- Up to `EXACT_LIMIT` vectors: fp32 in a flat FAISS index, read in place. Every query scores
  all of them exactly (one BLAS product), which at these sizes is faster than any
  approximate index and adds no error.
- Above it: 8-bit rows on disk, each with its own scale, memory-mapped (a quarter of the bytes;
  on SciFact's sentences each row's cosine to its fp32 vector is at least 0.99992, and only the
  rows a query reads are paged in), plus, for the set that generates candidates, an IVF index
  with 8-bit codes whose top hits are rescored from those rows. 8-bit rather than fp16 because
  numpy turns int8 into fp32 with SIMD and fp16 without it: 2,800 rows a question took 1.9 ms
  as fp16 and 0.6 ms as int8 (docs/speed.md, "Candidates from 25,000 sentences"). Measured by
  `bench/compare_peer.py --scale N`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

# sentence vectors scored exactly: measured on SciFact subsets, scoring every passage is as
# fast as scoring candidates at 22,500 sentences and slower from 33,700 on; the project's
# question sets (11,700) stay exact (docs/speed.md, "Candidates from 25,000 sentences")
EXACT_LIMIT = 25_000
QUANTISE_BLOCK = 65_536  # rows turned to 8 bits at a time (no full fp32 copy at scale)
TRAIN_SAMPLE = 65_536  # vectors the IVF's coarse centroids and 8-bit ranges are trained on
# k-means rounds for the IVF centroids (FAISS's default is 25): on SciFact's sentences 10 rounds
# train in half the time (8.8 s at 25 rounds) for recall of the exact top 300 0.8245 against
# 0.8255 and of the top 10 0.979 against 0.981 (docs/speed.md, "Candidates from 25,000 sentences")
KMEANS_ROUNDS = 10
# IVF lists read per query (docs/speed.md, "Scale design": recall of the exact top 10)
NPROBE = 32


def needs_compact(sentences: int) -> bool:
    """Is an index with this many sentences past exact scoring? (All its sets follow.)"""
    return sentences > EXACT_LIMIT


def ivf_lists(count: int) -> int:
    """About 4 x sqrt(n) lists (the usual FAISS rule: a list holds a few hundred vectors), and
    at least 39 training vectors a list, which k-means needs."""
    return int(max(1, min(4 * round(count ** 0.5), min(count, TRAIN_SAMPLE) // 39)))


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search; also where small sets' vectors are kept (no second copy)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def ivf_index(vectors: np.ndarray, seed: int = 0) -> faiss.Index:
    """An IVF index with 8-bit scalar-quantised codes for approximate top-N search."""
    count, dimension = vectors.shape
    sample = vectors
    if count > TRAIN_SAMPLE:
        picks = np.sort(np.random.default_rng(seed).choice(count, TRAIN_SAMPLE, replace=False))
        sample = vectors[picks]
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dimension), dimension,
                                          ivf_lists(count), faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = KMEANS_ROUNDS
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for start in range(0, count, TRAIN_SAMPLE):
        index.add(np.ascontiguousarray(vectors[start:start + TRAIN_SAMPLE], dtype=np.float32))
    index.nprobe = NPROBE
    return index


def quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row as 8-bit integers and its scale (row ~ scale x codes): symmetric, from the
    row's largest component, so a unit vector loses at most scale / 2 per component."""
    codes = np.empty(vectors.shape, dtype=np.int8)
    scales = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), QUANTISE_BLOCK):
        block = np.asarray(vectors[start:start + QUANTISE_BLOCK], dtype=np.float32)
        scale = np.abs(block).max(axis=1, initial=0.0) / 127
        scale[scale == 0] = 1.0
        codes[start:start + len(block)] = np.rint(block / scale[:, None])
        scales[start:start + len(block)] = scale
    return codes, scales


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """The vectors a flat FAISS index holds, as a numpy view of its memory (no copy)."""
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(
        index.ntotal, index.d)


@dataclass
class VectorSet:
    """Vectors in stored order; `search` is set where candidates are generated at scale."""

    vectors: np.ndarray  # fp32 (a view of `flat`) or int8 codes (memory-mapped)
    flat: faiss.Index | None = None
    search: faiss.Index | None = None
    scales: np.ndarray | None = None  # compact: each row's scale (row ~ scale x codes)

    @classmethod
    def of(cls, vectors: np.ndarray, compact: bool = False,
           searchable: bool = False) -> VectorSet:
        """Exact fp32 in a flat index, or `compact`: 8-bit rows, with an IVF index if
        `searchable`."""
        if not compact:
            flat = flat_index(vectors)
            return cls(stored_vectors(flat), flat)
        codes, scales = quantised(vectors)
        return cls(codes, search=ivf_index(vectors) if searchable else None, scales=scales)

    @property
    def exact(self) -> bool:
        """Are the vectors fp32, to be scored in full (small sets)?"""
        return self.flat is not None

    def __len__(self) -> int:
        return len(self.vectors)

    def rows(self, positions: np.ndarray | list[int] | slice) -> np.ndarray:
        """The vectors at these positions, as fp32."""
        if self.scales is None:
            return np.asarray(self.vectors[positions], dtype=np.float32)
        scales = self.scales[positions]
        return self.vectors[positions].astype(np.float32) * np.reshape(scales, (-1, 1))

    def all(self) -> np.ndarray:
        return self.rows(slice(None))

    def row_scores(self, positions: np.ndarray | list[int] | slice,
                   query: np.ndarray) -> np.ndarray:
        """The query's cosine to the vectors at these positions: the stored rows times the
        query, then each 8-bit row's scale applied to its one score. Scaling the scores
        rather than the rows saves a pass over a float copy of every row read (on SciFact's
        sentences, 2,800 rows scored in 0.6-0.8 ms against 3.1-3.9 ms)."""
        rows = self.vectors[positions].astype(np.float32, copy=False)
        scores = rows @ query.astype(np.float32)
        return scores if self.scales is None else scores * self.scales[positions]

    def scores(self, query: np.ndarray) -> np.ndarray:
        """The query's cosine to every vector, in stored order."""
        return self.row_scores(slice(None), query)

    def nearest(self, query: np.ndarray, count: int,
                admitted: np.ndarray | None = None) -> np.ndarray:
        """Positions of (about) the `count` vectors nearest the query, best first; with
        `admitted` (a boolean per vector), only among those (a filter inside the search, so
        a narrow filter still gets `count` hits)."""
        if self.search is None:
            raise ValueError("this vector set has no search index")
        params = None
        if admitted is not None:
            bitmap = np.packbits(admitted, bitorder="little")  # FAISS's bit order
            params = faiss.SearchParametersIVF(
                sel=faiss.IDSelectorBitmap(len(admitted), faiss.swig_ptr(bitmap)),
                nprobe=self.search.nprobe)
        _, found = self.search.search(query.reshape(1, -1).astype(np.float32), count,
                                      params=params)
        return found[0][found[0] >= 0]

    def save(self, folder: Path, name: str) -> None:
        if self.flat is not None:
            faiss.write_index(self.flat, str(folder / f"{name}.faiss"))
            return
        np.save(folder / f"{name}.i8.npy", self.vectors)
        np.save(folder / f"{name}.scales.npy", self.scales)
        if self.search is not None:
            faiss.write_index(self.search, str(folder / f"{name}.ivf.faiss"))

    @classmethod
    def load(cls, folder: Path, name: str) -> VectorSet:
        flat_file = folder / f"{name}.faiss"
        if flat_file.exists():
            flat = faiss.read_index(str(flat_file))
            return cls(stored_vectors(flat), flat)
        search_file = folder / f"{name}.ivf.faiss"
        search = faiss.read_index(str(search_file)) if search_file.exists() else None
        if search is not None:
            search.nprobe = NPROBE
        # A plain array over the mapped file: numpy's memmap subclass costs time on each
        # gather of rows, and the mapping lives as long as the array.
        codes = np.asarray(np.load(folder / f"{name}.i8.npy", mmap_mode="r"))
        return cls(codes, search=search, scales=np.load(folder / f"{name}.scales.npy"))
