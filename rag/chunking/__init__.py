"""Stage 2, chunking: `Document`s in, passages (`Chunk`s) and their sentences out.

Each passage and sentence keeps its exact character span in its source, which is what makes a
citation checkable.
"""
