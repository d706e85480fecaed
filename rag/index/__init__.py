"""Stage 3, index: passages in, a complete index build on disk out (vectors, BM25, manifest).

`embedding` loads the shipped model; `builder` embeds what is new and writes a build; `store`
swaps builds in whole; `fingerprint` says whether the index on disk still matches the corpus.
"""
