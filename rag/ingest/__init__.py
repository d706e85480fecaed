"""Stage 1, ingest: files in a corpus folder (or a BEIR corpus) in, `Document`s out.

`scan` reads a folder whatever the formats (`text`, `html`, `pdf`), reports and skips what
cannot be read; `documents` is the model every later stage relies on; `beir` reads benchmark
corpora as Documents; `corpus_admin` adds a file to the corpus only once it has been read.
A new file format is a module here plus one entry in `scan`.
"""
