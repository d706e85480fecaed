"""The `rag` command as a user runs it: a real process, offline (no network namespace
where the machine allows one), with the real model and index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rag import messages
from rag.cli.eval_command import check_output
from rag.errors import RagError
from tests.documents_factory import write_broken_files
from tests.first_time import FIRST_TIME_ANSWERS

pytestmark = pytest.mark.slow
PARTICIPANTS = "Which countries besides the two Koreas and the US must take part in a peace regime?"
PASSAGE_FIELDS = {"rank", "key", "doc_id", "title", "authors", "date", "url", "section", "page",
                  "page_label", "start", "end", "text", "score"}


def offline_prefix() -> list[str]:
    """`unshare -n` runs the command with no network interface at all, when permitted."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def rag(*args: str, index: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_CORPUS_DIR": str(corpus)}
    command = [*offline_prefix(), sys.executable, "-m", "rag", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_cite_prints_a_catalogue_record_one_line_a_field(shipped_index: Path) -> None:
    """It had run the record's lines together ("…Peninsula Type: Report Series: …")."""
    from rag.engine import Engine
    from tests.conftest import SHIPPED_CORPUS

    engine = Engine.open(shipped_index, SHIPPED_CORPUS)
    (record,) = [c for c in engine.stored.chunks
                 if c.doc_id == "peace-regime-for-the-korean-peninsula" and "Type: " in c.text]
    cited = rag("cite", record.key, index=shipped_index, corpus=SHIPPED_CORPUS)
    assert cited.returncode == 0, cited.stderr
    assert "\nType: Report\n" in cited.stdout and "\nPublished: February 2020\n" in cited.stdout


def test_ask_json_and_cite_round_trip(shipped_index: Path) -> None:
    from tests.conftest import SHIPPED_CORPUS

    asked = rag("ask", PARTICIPANTS, "--json", "--k", "3", index=shipped_index,
                corpus=SHIPPED_CORPUS)
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    assert result["question"] == PARTICIPANTS and len(result["passages"]) == 3
    top = result["passages"][0]
    assert set(top) >= PASSAGE_FIELDS
    assert all(country in top["text"] for country in ("South Korea", "China", "Russia", "Japan"))

    cited = rag("cite", top["key"], "--json", index=shipped_index, corpus=SHIPPED_CORPUS)
    assert cited.returncode == 0, cited.stderr
    citation = json.loads(cited.stdout)
    assert {"key", "text", "context", "start", "end", "doc_id", "reference"} <= set(citation)
    assert citation["text"] == top["text"] and citation["text"] in citation["context"]

    shown = rag("cite", top["key"], index=shipped_index, corpus=SHIPPED_CORPUS)
    words = " ".join(shown.stdout.split())  # textwrap re-flows the passage's whitespace
    assert f"»{' '.join(top['text'].split())}«" in words
    assert "Reference (Chicago)" in shown.stdout and "@techreport" in shown.stdout


def test_a_catalogue_record_is_cited_as_written_from_metadata_not_from_the_file(
        shipped_index: Path) -> None:
    """A first-time user looked a record's lines up in corpus/ and did not find them."""
    from tests.conftest import SHIPPED_CORPUS

    asked = json.loads(rag("ask", "When was the report published?", "--json",
                           index=shipped_index, corpus=SHIPPED_CORPUS).stdout)
    record = next(p for p in asked["passages"] if "Published: February 2020" in p["text"])
    body = next(p for p in asked["passages"] if not p["from_metadata"])
    assert record["from_metadata"]
    source = (SHIPPED_CORPUS / "peace-regime-for-the-korean-peninsula.md").read_text()
    assert "Published: February 2020" not in source
    shown = rag("cite", record["key"], index=shipped_index, corpus=SHIPPED_CORPUS)
    assert f"note: {messages.FROM_METADATA}" in " ".join(shown.stdout.split())
    plain = rag("cite", body["key"], index=shipped_index, corpus=SHIPPED_CORPUS)
    assert "catalogue record" not in plain.stdout


def test_a_build_makes_the_readers_mapped_copy_and_the_word_list_for_the_first_question(
        shipped_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Else the first `rag ask` after set-up makes them: about a second more, and `onnx`'s
    import in its peak memory (a first-time user measured 2.25 s and 199 MB); the spelling's
    English list 0.5 s more."""
    from rag.index.embedding import exported_model
    from tests.conftest import SHIPPED_CORPUS

    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / exported_model().fp32.parent.name).symlink_to(
        exported_model().fp32.parent)
    index = tmp_path / "index"
    shutil.copytree(shipped_index, index, symlinks=True)
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache))
    built = rag("build", index=index, corpus=SHIPPED_CORPUS)
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in (cache / "models" / "readers").iterdir()) == [
        "reader-l6.onnx", "reader-l6.onnx.data", "reader-l6.onnx.json"]
    assert len(list((cache / "spelling").glob("english-*.npy"))) == 2


def test_bad_requests_exit_non_zero_with_a_message(shipped_index: Path, tmp_path: Path) -> None:
    from tests.conftest import SHIPPED_CORPUS

    unknown = rag("cite", "../../etc/passwd", index=shipped_index, corpus=SHIPPED_CORPUS)
    assert unknown.returncode == 1 and "No passage has the citation key" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    empty = rag("ask", "   ", index=shipped_index, corpus=SHIPPED_CORPUS)
    assert empty.returncode == 1 and "empty" in empty.stderr and not empty.stdout
    # With --json a script parsing stdout reads why, as one object (it had read nothing).
    for command in (("ask", "", "--json"), ("cite", "nosuch:1", "--json"), ("status", "--json")):
        failed = rag(*command, index=tmp_path / "none" if command[0] == "status"
                     else shipped_index, corpus=SHIPPED_CORPUS)
        assert failed.returncode == 1 and failed.stderr.startswith("error: ")
        assert json.loads(failed.stdout) == {"error": failed.stderr.removeprefix("error: ").strip()}
    missing = rag("ask", "peace", index=tmp_path / "none", corpus=SHIPPED_CORPUS)
    assert missing.returncode == 1 and "rag build" in missing.stderr
    for bad_date in ("2020-13", "yesterday"):
        dated = rag("ask", "peace", "--from", bad_date, index=shipped_index, corpus=SHIPPED_CORPUS)
        assert dated.returncode == 1 and "YYYY-MM-DD" in dated.stderr
        assert "Traceback" not in dated.stderr
    backwards = rag("ask", "peace", "--from", "2021-01", "--to", "2020", index=shipped_index,
                    corpus=SHIPPED_CORPUS)  # had said only that no document matches, exit 0
    assert backwards.returncode == 1 and "from 2021-01 is after to 2020" in backwards.stderr
    no_doc = rag("ask", "peace", "--doc", "nosuchdoc", index=shipped_index, corpus=SHIPPED_CORPUS)
    assert no_doc.returncode == 1 and "'nosuchdoc'" in no_doc.stderr
    assert "peace-regime-for-the-korean-peninsula" in no_doc.stderr


def test_build_reports_broken_files_and_indexes_the_rest(corpus_copy: Path,
                                                         tmp_path: Path) -> None:
    expected = write_broken_files(corpus_copy)
    built = rag("build", index=tmp_path / "index", corpus=corpus_copy)
    assert built.returncode == 0, built.stderr
    assert "Indexed 4 documents" in built.stdout
    for name in expected:
        assert f"skipped {name}:" in built.stderr
    status = rag("status", "--json", index=tmp_path / "index", corpus=corpus_copy)
    info = json.loads(status.stdout)
    assert len(info["documents"]) == 4 and set(info["skipped"]) == set(expected)
    assert info["stale"] is None
    for name in expected:  # removing what the build skipped leaves the index as fresh
        (corpus_copy / name).unlink()
    after = json.loads(rag("status", "--json", index=tmp_path / "index",
                           corpus=corpus_copy).stdout)
    assert after["stale"] is None
    (corpus_copy / "late.md").write_text("A document added after the build.", encoding="utf-8")
    asked = json.loads(rag("ask", "peace", "--json", index=tmp_path / "index",
                           corpus=corpus_copy).stdout)
    assert any("stale" in note and "late.md" in note for note in asked["notes"])
    elsewhere = tmp_path / "not-built"  # the hint builds the index the user named
    missing = rag("ask", "peace", "--index", str(elsewhere), index=tmp_path / "index",
                  corpus=corpus_copy)
    assert missing.returncode == 1
    assert f"Build it first with: rag build --index {elsewhere}" in missing.stderr


def test_add_copies_a_good_file_refuses_the_rest_and_builds_once(corpus_copy: Path,
                                                                   tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "notes.md").write_text("Notes on the Kaesong Industrial Complex.", encoding="utf-8")
    shutil.copy(corpus_copy / "current-situation-in-north-korea.md", incoming / "copy.md")
    added = rag("add", str(incoming / "notes.md"), str(incoming / "copy.md"), str(incoming),
                str(incoming / "missing.md"), index=tmp_path / "index", corpus=corpus_copy)
    assert added.returncode == 1, "some files were refused"
    assert "added" in added.stdout and "Indexed 5 documents" in added.stdout
    assert "the same file is already in the corpus as current-situation" in added.stderr
    assert "a folder; give the files in it" in added.stderr and "no such file" in added.stderr
    assert (corpus_copy / "notes.md").is_file() and not (corpus_copy / "copy.md").exists()
    (incoming / "notes.md").write_text("Changed notes on Kaesong.", encoding="utf-8")
    again = rag("add", str(incoming / "notes.md"), index=tmp_path / "index", corpus=corpus_copy)
    assert again.returncode == 1  # a new version says how to replace the old one
    assert f"to replace it, save it over {corpus_copy / 'notes.md'}" in again.stderr
    (incoming / "latin.md").write_bytes("Caf\xe9 in Seoul".encode("latin-1"))
    latin = rag("add", str(incoming / "latin.md"), index=tmp_path / "index", corpus=corpus_copy)
    assert latin.returncode == 1 and "save the file as UTF-8 and try again" in latin.stderr
    assert "rebuild" not in latin.stderr  # it had said "and rebuild", which `add` does itself
    nothing = rag("add", str(incoming / "missing.md"), index=tmp_path / "index",
                  corpus=corpus_copy)
    assert nothing.returncode == 1 and "Nothing was added" in nothing.stderr
    assert "Indexed" not in nothing.stdout
    nowhere = rag("add", str(incoming / "notes.md"), index=tmp_path / "index",
                  corpus=tmp_path / "no-corpus")
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr
    assert not (tmp_path / "no-corpus").exists()


OFF_TOPIC = "What is the recipe for chocolate cake?"


def test_ask_states_confidence_and_refuses_what_the_text_does_not_say(
        shipped_index: Path) -> None:
    """A question the documents do not answer is refused and labelled "unlikely"; a clear one
    is answered with its probability and label, in text and JSON; the same with the reader off."""
    from tests.conftest import SHIPPED_CORPUS

    for extra in ([], ["--no-reader"]):
        refused = json.loads(rag("ask", OFF_TOPIC, "--json", *extra, index=shipped_index,
                                 corpus=SHIPPED_CORPUS).stdout)
        assert refused["abstained"] and refused["confidence_label"] == "unlikely"
        assert 0 <= refused["confidence"] <= 1
        assert (refused["decision"]["reader_logit"] is None) == bool(extra)
        asked = rag("ask", PARTICIPANTS, *extra, index=shipped_index, corpus=SHIPPED_CORPUS)
        assert asked.returncode == 0, asked.stderr
        line = next(x for x in asked.stdout.splitlines() if x.startswith("Confidence: "))
        refused = asked.stdout.startswith(messages.REFUSAL)
        assert ("(unlikely:" in line) == refused
        assert not refused and ("(likely:" in line or "(uncertain:" in line)


def test_filters_that_match_nothing_say_so_and_promise_no_passages(shipped_index: Path) -> None:
    """A first-time user read "the nearest passages are shown below" above no passages."""
    from tests.conftest import SHIPPED_CORPUS

    asked = rag("ask", "Hanoi", "--from", "2030-01", index=shipped_index, corpus=SHIPPED_CORPUS)
    assert asked.returncode == 0 and "No document matches the filters." in asked.stderr
    assert asked.stdout.startswith(f"{messages.REFUSAL} {messages.NO_PASSAGE_DETAIL}")
    assert "nearest passages" not in asked.stdout


def test_a_refusal_under_filters_speaks_of_the_documents_searched(shipped_index: Path) -> None:
    from tests.conftest import SHIPPED_CORPUS

    asked = rag("ask", "What is the recipe for chocolate cake?", "--type", "Report",
                index=shipped_index, corpus=SHIPPED_CORPUS)
    assert asked.returncode == 0 and asked.stdout.startswith(messages.REFUSAL)
    assert messages.FILTERED_REFUSAL_DETAIL in asked.stdout
    assert messages.REFUSAL_DETAIL not in asked.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("question", "says"), FIRST_TIME_ANSWERS)
def test_first_time_questions_are_answered_by_the_passage_that_says_it(
        shipped_index: Path, question: str, says: str) -> None:
    """Four of the questions a first-time user typed (issue #12), refused before the reader:
    now answered, with the sentence that says it and a confidence label."""
    from tests.conftest import SHIPPED_CORPUS

    result = json.loads(rag("ask", question, "--json", index=shipped_index,
                            corpus=SHIPPED_CORPUS).stdout)
    assert not result["abstained"] and says in result["answer"]
    assert "ISBN" not in result["answer"]  # never the whole catalogue record
    assert result["confidence_label"] in {"likely", "uncertain"}


@pytest.mark.slow
def test_the_passage_a_likely_answer_comes_from_is_not_labelled_weak(
        shipped_index: Path) -> None:
    """A first-time user read "Who is Frank Aum?" answered at 0.99, `likely`, from a passage
    labelled "weak match (answers 28%)": its odds against the catalogue record, which the
    reader rated higher, though it reads as an answer alone."""
    from tests.conftest import SHIPPED_CORPUS

    shown = rag("ask", "Who is Frank Aum?", index=shipped_index, corpus=SHIPPED_CORPUS).stdout
    assert messages.RANKING_NOTE in shown
    assert shown.index(messages.RANKING_NOTE) < shown.index("[1] ")
    result = json.loads(rag("ask", "Who is Frank Aum?", "--json", index=shipped_index,
                            corpus=SHIPPED_CORPUS).stdout)
    assert result["confidence_label"] == "likely"
    assert result["answer"].startswith("Frank Aum is senior expert on North Korea")
    source = result["passages"][result["answer_spans"][0]["passage"] - 1]
    assert source["relevance"] in {"good match", "strong match"}
    # both rounded down to four decimals (the confidence had been rounded to nearest)
    assert max(p["signals"].get("reader", 0.0) for p in result["passages"]) == result[
        "confidence"]


def test_an_output_that_cannot_be_opened_is_refused_and_nothing_is_left(tmp_path: Path
                                                                       ) -> None:
    """Checked by opening it, before the run: `--report /proc/x.md` had failed afterwards."""
    with pytest.raises(RagError, match="cannot be written"):
        check_output(Path("/proc/rag-report.md"))
    fresh = tmp_path / "results.jsonl"
    check_output(fresh)
    assert not fresh.exists()  # the probe leaves no empty file behind
    kept = tmp_path / "kept.md"
    kept.write_text("earlier results", encoding="utf-8")
    check_output(kept)
    assert kept.read_text(encoding="utf-8") == "earlier results"


def test_an_output_link_or_fifo_is_checked_without_harm(tmp_path: Path) -> None:
    """A review's cases: the probe had removed a dangling link (leaving an empty file where it
    pointed) and blocked on a FIFO with no reader."""
    (tmp_path / "out").mkdir()
    link = tmp_path / "latest.jsonl"
    link.symlink_to(tmp_path / "out" / "results.jsonl")
    check_output(link)
    assert link.is_symlink() and not (tmp_path / "out" / "results.jsonl").exists()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    probe = threading.Thread(target=check_output, args=(fifo,), daemon=True)
    probe.start()
    probe.join(timeout=10)
    assert not probe.is_alive(), "checking a FIFO blocked"
