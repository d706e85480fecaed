"""Errors a user can act on. Every message says what went wrong and what to do next."""


class RagError(Exception):
    """Base class: the CLI and the app show these messages as they are, never a traceback."""


class IngestError(RagError):
    """A file could not be turned into a document; the build names it and skips it."""


class EmptyQuestion(RagError):
    def __init__(self) -> None:
        super().__init__("The question is empty: type a question in words, e.g. "
                         "\"Which countries must take part in a peace regime?\"")


class IndexMissing(RagError):
    def __init__(self, index_dir: object, command: str = "rag build") -> None:
        self.index_dir = index_dir
        super().__init__(f"No index found in {index_dir}. Build it first with: {command}")


class IndexIncompatible(RagError):
    """The index was built with another model, other settings or another format version."""

    def __init__(self, differences: list[str], command: str = "rag build") -> None:
        self.differences = differences
        super().__init__("The index was built with other settings and cannot be used ("
                         + "; ".join(differences) + f"). Rebuild it with: {command}")


MALFORMED_KEY = "Keys look like 'document-id:0123456789'; copy one from a search result."
# A key is its document's id and a hash of its passage's text (rag.chunking.passages), so a
# well-formed key that is not found names a document gone, or a passage whose text changed: a
# first-time user was told how keys look, for a key copied from a result before a rebuild.
KEY_DOCUMENT_GONE = ("No document has the id {doc!r} now: it was removed or renamed since the "
                     "key was made, or the key is mistyped (rag status lists the documents).")
KEY_TEXT_CHANGED = ("The document {doc!r} is here, but none of its passages has that text now: "
                    "a key names its passage's text, and the document or its passages changed "
                    "since the key was made, or the key is mistyped. Search for the passage "
                    "again.")


class UnknownCitation(RagError):
    def __init__(self, key: str, why: str = MALFORMED_KEY, message: str | None = None) -> None:
        key = key.strip()
        shown = key if len(key) <= 80 else key[:77] + "..."
        super().__init__(message or (
            f"No passage has the citation key {shown!r} in this index. {why}" if key
            else f"No citation key given. {why}"))


class SeveralCitationKeys(UnknownCitation):
    """What was pasted holds more than one well-formed key (each may or may not be in the
    index): it had been refused as one unknown key, the keys run together."""

    def __init__(self, keys: list[str]) -> None:
        named = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        super().__init__(", ".join(keys), message=f"That holds {len(keys)} citation keys "
                         f"({named}): look up one at a time.")


class BuildInProgress(RagError):
    def __init__(self) -> None:
        super().__init__("Another build of this index is running; wait for it to finish.")
