"""End to end in a real headless browser: Debian's chromium, driven by Playwright, against
`streamlit run app.py` on 127.0.0.1 (a free port), over an index of the shipped corpus.

Prints (and saves to test-artifacts/) the timings a user feels and the screenshots' paths.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from rag.engine import Engine
from tests.conftest_app import APP, QUESTION, ROOT, built_copy
from tests.install_guard import TORCH_STACK, blocked_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 180_000
WARM_QUESTION = "What are the risks if South Korea builds nuclear weapons?"
TIMINGS: dict[str, float] = {}

sync_api = pytest.importorskip("playwright.sync_api")
sync_api.expect.set_options(timeout=TIMEOUT_MS)
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling the health endpoint: nothing to wait on but the server
    raise AssertionError(f"streamlit did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    corpus, index = built_copy(tmp_path_factory, "browser")
    return corpus, index


@pytest.fixture(scope="module")
def server(dirs: tuple[Path, Path]) -> Iterator[str]:
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The app runs with torch unimportable: its query path is ONNX Runtime alone.
    env = {**blocked_env(TORCH_STACK), "RAG_CORPUS_DIR": str(dirs[0]),
           "RAG_INDEX_DIR": str(dirs[1]), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = ARTIFACTS / "streamlit-server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address",
             "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, process, log, time.monotonic() + 120)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Streamlit shows a 'running' status widget while a script runs."""
    sync_api.expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")


def address(page) -> str:  # type: ignore[no-untyped-def]
    """What the address bar shows. Playwright's `page.url` can lag one history.pushState behind
    (Streamlit sets the query string that way): it had shown the previous question's address."""
    return page.evaluate("location.href")


def report(name: str, seconds: float) -> None:
    TIMINGS[name] = round(seconds, 2)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(TIMINGS, indent=2))


def test_ask_open_citation_and_check_the_span(server: str, browser, dirs,  # type: ignore[no-untyped-def]
                                              capsys: pytest.CaptureFixture[str]) -> None:
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)

    began = time.perf_counter()
    page.goto(server)
    expect(page.get_by_label("Your question")).to_be_visible()
    expect(page.get_by_role("button", name=QUESTION)).to_be_visible()  # rendered last
    report("page load -> ready (s)", time.perf_counter() - began)

    began = time.perf_counter()
    ask(page, QUESTION)
    card = page.locator(".rag-card", has_text="South Korea, China, Russia")
    expect(card).to_be_visible()
    report("first question -> results, cold (s)", time.perf_counter() - began)
    expect(page.locator(".rag-card")).to_have_count(5)
    wait_idle(page)
    assert "q=Which+countries" in address(page) or "q=Which%20countries" in address(page)
    expect(card.locator("mark.qt").first).to_be_visible()  # the question's words are marked
    expect(card.locator(".rag-num")).to_have_text(re.compile(r"\[\d\]"))
    key = card.get_attribute("data-key")
    assert key
    page.screenshot(path=str(ARTIFACTS / "app-results.png"))

    block = page.get_by_test_id("stVerticalBlock").filter(has=card).last
    block.get_by_role("button", name="Open citation").click()
    cited = page.locator("mark.cited")
    expect(cited).to_be_visible()
    wait_idle(page)
    citation = Engine.open(dirs[1], dirs[0]).cite(key)
    assert " ".join(cited.inner_text().split()) == " ".join(citation.text.split())
    assert "South Korea, China, Russia" in cited.inner_text()
    assert "cite=" in address(page) and key.split(":")[1] in address(page)
    expect(page.get_by_text("@techreport{aum2020peace,")).to_be_visible()
    expect(page.get_by_role("link", name="Open the source")).to_have_attribute(
        "href", citation.url)
    shot = ARTIFACTS / "app-citation.png"
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.get_by_text("Back to the results").scroll_into_view_if_needed()
    page.screenshot(path=str(shot))

    began = time.perf_counter()
    ask(page, WARM_QUESTION)
    expect(page.locator('.rag-card[data-key^="risks-of-south-korea-nuclear-armament:"]').first
           ).to_be_visible()
    report("second question -> results, warm (s)", time.perf_counter() - began)
    wait_idle(page)
    assert "cite=" not in address(page)
    page.close()
    with capsys.disabled():
        print(f"\nbrowser timings: {json.dumps(TIMINGS)}")
        print(f"screenshots: {shot} and {ARTIFACTS / 'app-results.png'}")


def citation_after_two_questions(server: str, browser):  # type: ignore[no-untyped-def]
    """A page that asked QUESTION, then WARM_QUESTION, then opened its first citation."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    sync_api.expect(page.get_by_role("button", name=QUESTION)).to_be_visible()
    heading = page.locator(".rag-question")
    for question in (QUESTION, WARM_QUESTION):
        ask(page, question)
        sync_api.expect(heading).to_contain_text(question)
        wait_idle(page)
    page.get_by_role("button", name="Open citation").first.click()
    sync_api.expect(page.locator("mark.cited")).to_be_visible()
    wait_idle(page)
    return page, heading


def test_back_and_forward_move_between_what_was_on_screen(server: str, browser  # type: ignore[no-untyped-def]
                                                          ) -> None:
    """A first-time user pressed Back after opening a citation: the address flicked to the
    results and straight back, and the citation stayed; each press used up a history entry."""
    expect = sync_api.expect
    page, heading = citation_after_two_questions(server, browser)
    page.go_back()
    expect(page.locator("mark.cited")).to_have_count(0)
    expect(heading).to_contain_text(WARM_QUESTION)
    wait_idle(page)
    assert "cite=" not in address(page)
    page.go_back()
    expect(heading).to_contain_text(QUESTION)
    wait_idle(page)
    assert "cite=" not in address(page) and "q=Which" in address(page)
    page.go_forward()
    expect(heading).to_contain_text(WARM_QUESTION)
    wait_idle(page)
    page.go_forward()  # and on to the citation that was open there
    expect(page.locator("mark.cited")).to_be_visible()
    wait_idle(page)
    assert "cite=" in address(page)
    page.close()


def test_the_app_s_back_is_the_browser_s_back(server: str, browser  # type: ignore[no-untyped-def]
                                            ) -> None:
    """"Back to the results" had added a history entry after the citation's, so the browser's
    Back then reopened the citation (a QA pass's finding)."""
    expect = sync_api.expect
    page, heading = citation_after_two_questions(server, browser)
    entries = page.evaluate("history.length")
    page.get_by_role("button", name="Back to the results").click()
    expect(page.locator("mark.cited")).to_have_count(0)
    expect(heading).to_contain_text(WARM_QUESTION)
    wait_idle(page)
    assert "cite=" not in address(page) and page.evaluate("history.length") == entries
    expect(page.get_by_role("button", name="Open citation").first).to_be_focused()
    page.go_back()  # to the question before, not to the citation again
    expect(heading).to_contain_text(QUESTION)
    wait_idle(page)
    expect(page.locator("mark.cited")).to_have_count(0)
    assert "cite=" not in address(page) and "q=Which" in address(page)
    page.close()


def test_back_from_an_opened_link_leaves_it_in_one_press(server: str, browser  # type: ignore[no-untyped-def]
                                                          ) -> None:
    """A link with a setting that cannot apply (`k=abc`) was rewritten on opening, which added
    a history entry: the first Back press came back to the same results."""
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    expect(page.get_by_role("button", name=QUESTION)).to_be_visible()
    page.goto(f"{server}/?{urllib.parse.urlencode({'q': QUESTION, 'k': 'abc'})}")
    expect(page.locator(".rag-card").first).to_be_visible()
    expect(page.get_by_text("could not be applied")).to_be_visible()
    wait_idle(page)
    assert "k=abc" in address(page)
    page.go_back()
    expect(page.get_by_role("button", name=QUESTION)).to_be_visible()
    expect(page.locator(".rag-card")).to_have_count(0)
    assert "q=" not in address(page)
    page.close()


def test_a_filter_applies_to_the_question_in_the_box(server: str, browser  # type: ignore[no-untyped-def]
                                                     ) -> None:
    """A first-time user typed a new question, did not press Enter, then set a filter: the old
    question was rerun under the new one in the box. Titles in the filter's list were cut
    after 25 letters, and Streamlit's "Press Enter" hint covered a long question."""
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    ask(page, QUESTION)
    heading = page.get_by_role("heading", name=re.compile("Results for"))
    expect(heading).to_contain_text(QUESTION)
    wait_idle(page)
    box = page.get_by_label("Your question")
    box.fill("Who wrote the report?")  # no Enter
    expect(page.get_by_test_id("InputInstructions")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()  # focus leaves the box: the edit applies
    expect(heading).to_contain_text("Who wrote the report?")
    wait_idle(page)
    page.get_by_role("combobox", name="Type").click()
    page.get_by_role("option", name="Report", exact=True).click()
    page.keyboard.press("Escape")  # an open list hides the page from the accessibility tree
    expect(page.get_by_text("Filtered: types Report")).to_be_visible()
    expect(heading).to_contain_text("Who wrote the report?")
    wait_idle(page)
    # the address follows a moment after the page (Streamlit sends it with the run's end)
    page.wait_for_function("location.search.includes('type=Report')")
    assert "q=Who+wrote" in address(page)
    expect(page.get_by_role("status")).to_contain_text("Answer, likely: Authors: Frank Aum")
    page.get_by_role("combobox", name="Documents").click()
    options = page.get_by_role("option").filter(has_not_text="Select all")
    expect(options).to_have_count(4)
    titles = [option.inner_text() for option in options.all()]
    assert ("To Build Peaceful Coexistence with North Korea, Focus on Ordinary North Koreans"
            in titles)
    cut = [option.inner_text() for option in options.all() if option.locator("div").first.evaluate(
        "e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1")]
    assert cut == []
    page.keyboard.press("Escape")
    # "Clear filters" had folded the panel under the pointer (its label changed from
    # "Filters (on)"); now the panel stays open and a caption under it says what is on.
    expect(page.get_by_text("Filters on: types Report")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_text("Filtered: types Report")).to_have_count(0)
    wait_idle(page)
    expect(page.get_by_text("Filters on:")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Type")).to_be_visible()
    # "Select all" admits everything: it is no filter, and had been shown as one.
    page.get_by_role("combobox", name="Type").click()
    page.get_by_role("option", name="Select all").click()
    page.keyboard.press("Escape")
    wait_idle(page)
    page.wait_for_function("!location.search.includes('type=')")  # the filter is off
    expect(page.get_by_text("Filters on:")).to_have_count(0)
    expect(page.get_by_text(re.compile("^Filtered:"))).to_have_count(0)
    page.close()


def test_a_half_typed_question_waits_while_the_page_is_away(server: str, browser  # type: ignore[no-untyped-def]
                                                            ) -> None:
    """Switching to another window mid-question had searched the half typed question. Headless
    Chromium blurs no page when another comes to the front, so the switch is played as the
    browser does it: the page reports no focus (`document.hasFocus()`), then the box blurs."""
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    expect(page.get_by_role("button", name=QUESTION)).to_be_visible()
    wait_idle(page)
    box = page.get_by_label("Your question")
    box.fill("Who wrote")
    page.evaluate("document.hasFocus = () => false; document.activeElement.blur()")
    page.wait_for_timeout(1500)  # a run it started would show by now
    wait_idle(page)
    expect(page.locator(".rag-question")).to_have_count(0)
    assert "q=" not in address(page)
    page.evaluate("delete document.hasFocus")  # back on the page: a click elsewhere applies it
    box.fill("Who wrote the report?")
    page.get_by_text("Ask a question about").click()
    expect(page.locator(".rag-question")).to_contain_text("Who wrote the report?")
    page.close()


def test_a_typed_date_applies_at_the_first_tab(server: str, browser  # type: ignore[no-untyped-def]
                                              ) -> None:
    """The first Tab had stopped on the box's calendar button, inside the box, and the date
    applied only at the second (a QA pass's finding)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/?{urllib.parse.urlencode({'q': QUESTION})}")
    sync_api.expect(page.locator(".rag-card").first).to_be_visible()
    wait_idle(page)
    page.get_by_text("Filters", exact=True).click()
    page.get_by_role("spinbutton", name="year, From").click()
    page.keyboard.type("20200101")
    page.keyboard.press("Tab")
    page.wait_for_function("location.search.includes('from=2020-01-01')")
    sync_api.expect(page.get_by_text("Filters on: from 2020-01-01")).to_be_visible()
    page.keyboard.press("Alt+ArrowDown")  # the calendar still opens from the keyboard
    sync_api.expect(page.get_by_role("dialog")).to_be_visible()
    page.close()


def test_a_citation_opens_at_its_title_and_back_returns_to_its_passage(  # type: ignore[no-untyped-def]
        server: str, browser) -> None:
    """Opened from far down the results, a citation had opened scrolled to its BibTeX, the
    keyboard's focus lost, and Back had returned to the top of the list (a first-time user's
    finding)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/?{urllib.parse.urlencode({'q': QUESTION, 'k': 10})}")
    opener = page.get_by_role("button", name="Open citation [7]")
    opener.scroll_into_view_if_needed()
    wait_idle(page)
    opener.focus()
    page.keyboard.press("Enter")
    title = page.get_by_role("heading", level=2).filter(has_not_text="Look up")
    sync_api.expect(title).to_be_focused()
    assert 40 <= title.bounding_box()["y"] < 900  # below the header, on screen
    sync_api.expect(page.get_by_role("button", name="Back to the results")).to_be_in_viewport()
    wait_idle(page)
    # a later run of the same screen leaves the page where it is, and the status line is the
    # same node throughout (a review found both redone on every run)
    assert page.evaluate("!!(window.ragLine = document.getElementById('rag-status'))")
    page.evaluate("() => { window.ragScrolls = 0; const scroll = Element.prototype"
                  ".scrollIntoView; Element.prototype.scrollIntoView = function (...how) {"
                  " window.ragScrolls += 1; return scroll.apply(this, how); }; }")
    page.get_by_role("button", name="Look up").click()  # with an empty box: says so
    sync_api.expect(page.get_by_test_id("stSidebar").get_by_text(  # beside the box, and
        "Type or paste a citation key")).to_be_visible()
    sync_api.expect(page.locator("#rag-status")).to_contain_text("Type or paste")  # told
    wait_idle(page)
    assert page.evaluate("window.ragScrolls") == 0  # had been brought back to the title
    assert page.evaluate("document.getElementById('rag-status') === window.ragLine")
    page.get_by_role("button", name="Back to the results").click()
    sync_api.expect(page.get_by_role("button", name="Open citation [7]")).to_be_focused()
    sync_api.expect(page.locator(".rag-card").nth(6)).to_be_in_viewport()
    page.close()


def test_each_citation_form_has_a_named_copy_button(server: str, browser  # type: ignore[no-untyped-def]
                                                   ) -> None:
    """Streamlit's copy icons show only while the pointer or the focus is on their block, so
    Tab reached them by chance, and each was named "Copy to clipboard"."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/?{urllib.parse.urlencode({'q': QUESTION})}")
    page.get_by_role("button", name="Open citation").first.click()
    sync_api.expect(page.locator("mark.cited")).to_be_visible()
    wait_idle(page)
    key = page.locator('[data-testid="stCode"]').nth(2).inner_text().strip()
    bibtex = page.locator('[data-testid="stCode"]').nth(1).inner_text().strip()
    page.get_by_role("button", name="Copy the reference").focus()
    page.keyboard.press("Tab")  # to the next copy button, by keyboard
    page.keyboard.press("Tab")
    copy_key = page.get_by_role("button", name="Copy the citation key")
    sync_api.expect(copy_key).to_be_focused()
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#rag-status")).to_have_text("Copied the citation key.")
    assert page.evaluate("navigator.clipboard.readText()") == key
    page.get_by_role("button", name="Copy the BibTeX").click()
    sync_api.expect(page.locator("#rag-status")).to_have_text("Copied the BibTeX.")
    assert page.evaluate("navigator.clipboard.readText()").strip() == bibtex
    # clicked again at once: its name comes back all the same (it had kept "Copied …")
    page.locator(".rag-copy-button").nth(1).click()
    sync_api.expect(page.get_by_role("button", name="Copy the BibTeX")).to_be_visible()
    # a copy that fails says so, not "Copied"
    page.evaluate("navigator.clipboard.writeText = () => Promise.reject(new Error('no'));"
                  " document.execCommand = () => false")
    page.get_by_role("button", name="Copy the link").click()
    sync_api.expect(page.locator("#rag-status")).to_have_text(re.compile("^Could not copy"))
    context.close()


def test_a_citation_fits_a_400_pixel_screen(server: str, browser, dirs  # type: ignore[no-untyped-def]
                                            ) -> None:
    """At 400 px the citation key ran out of its box (a first-time user's phone check)."""
    key = Engine.open(dirs[1], dirs[0]).search(QUESTION).passages[0].key
    page = browser.new_page(viewport={"width": 400, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server}/?{urllib.parse.urlencode({'cite': key})}")
    sync_api.expect(page.get_by_text("BibTeX")).to_be_visible()
    wait_idle(page)
    sync_api.expect(page.get_by_role("status")).to_contain_text("Citation opened")
    blocks = page.locator('[data-testid="stCode"] pre')
    sync_api.expect(blocks).to_have_count(4)  # the reference, BibTeX, key and link
    wide = [block.inner_text() for block in blocks.all()
            if block.evaluate("e => e.scrollWidth > e.clientWidth + 1")]
    assert wide == []
    page.close()


CONCURRENT_QUESTIONS = [
    QUESTION,
    WARM_QUESTION,
    "How do ordinary North Koreans live?",
    "What is the current situation in North Korea?",
    "When did the Korean War end?",
    "What did the joint statement of June 2018 declare?",
    "Is peace a process or an event?",
    "What are the components of a comprehensive peace?",
    "What interests do China and Russia have on the Korean Peninsula?",
    "Could South Korea acquire its own nuclear deterrent?",
    "What about North Korean human rights?",
    "What is the status of U.S. forces in Korea?",
    "Who wrote the peace regime report?",
    "What is peaceful coexistence between the Koreas?",
    "How has North Korea's economy changed recently?",
    "What would nuclear armament cost South Korea's alliance with the US?",
    "Which diplomatic engagement happened in 2018 and 2019?",
    "How can mutual confidence be built?",
    "What does a peace regime consist of?",
    "What is Peaceworks No. 157 about?",
]


def test_twenty_sessions_at_once_get_their_own_answers(server: str, browser, dirs  # type: ignore[no-untyped-def]
                                                       ) -> None:
    engine = Engine.open(dirs[1], dirs[0])
    expected = {q: [p.key for p in engine.search(q).passages] for q in CONCURRENT_QUESTIONS}
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    pages = []
    for _ in CONCURRENT_QUESTIONS:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server)
        pages.append(page)
    for page in pages:
        sync_api.expect(page.get_by_label("Your question")).to_be_visible()
        wait_idle(page)
    for page, question in zip(pages, CONCURRENT_QUESTIONS, strict=True):
        ask(page, question)  # all 20 sessions run their searches at the same time
    for page, question in zip(pages, CONCURRENT_QUESTIONS, strict=True):
        sync_api.expect(page.locator(".rag-question")).to_contain_text(question)
        sync_api.expect(page.locator(".rag-card")).to_have_count(len(expected[question]))
        wait_idle(page)
        keys = [card.get_attribute("data-key") for card in page.locator(".rag-card").all()]
        assert keys == expected[question], question
    context.close()


def test_upload_refuses_bad_files_then_reindexes(server: str, browser, dirs  # type: ignore[no-untyped-def]
                                                 ) -> None:
    expect = sync_api.expect
    corpus = dirs[0]
    before = sorted(p.name for p in corpus.iterdir())
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    expect(page.get_by_label("Your question")).to_be_visible()
    page.get_by_text("Corpus and index").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([
        {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"},
        {"name": "empty.md", "mimeType": "text/markdown", "buffer": b"   \n"},
    ])
    page.get_by_role("button", name="Add to the corpus").click()
    expect(page.get_by_text("Refused broken.pdf:")).to_be_visible()
    expect(page.get_by_text("Refused empty.md:")).to_be_visible()
    expect(page.get_by_text("The corpus is unchanged")).to_have_count(1)  # once, not per file
    # any type is taken and refused in the app's words (Streamlit's own had named a MIME type)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([
        {"name": "notes.docx", "mimeType": "application/vnd.openxmlformats-officedocument."
         "wordprocessingml.document", "buffer": b"PK\x03\x04 a Word file"}])
    page.get_by_role("button", name="Add to the corpus").click()
    expect(page.get_by_text("Refused notes.docx: unsupported file type")).to_be_visible()
    assert sorted(p.name for p in corpus.iterdir()) == before

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([
        {"name": "kaesong notes.md", "mimeType": "text/markdown",
         "buffer": b"---\ntitle: Kaesong notes\ntype: Notes\ndate: 2024-01\n---\n\n"
                   b"The Kaesong Industrial Complex employed North Korean workers.\n"},
    ])
    page.get_by_role("button", name="Add to the corpus").click()
    expect(page.get_by_text("added as kaesong-notes.md")).to_be_visible()
    expect(page.get_by_text("The index is out of date")).to_be_visible()
    page.get_by_role("button", name="Rebuild the index").click()
    expect(page.get_by_text(re.compile(r"Indexed 5 documents"))).to_be_visible()
    expect(page.get_by_text("The index is out of date")).to_have_count(0)
    ask(page, "Who worked at the Kaesong Industrial Complex?")
    expect(page.locator('.rag-card[data-key^="kaesong-notes:"]').first).to_be_visible()
    page.close()


class RequestLog(http.server.BaseHTTPRequestHandler):
    """A local server that only records which paths the browser asked it for."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_file_names_and_metadata_show_as_text_never_as_markdown(  # type: ignore[no-untyped-def]
        server: str, browser, dirs) -> None:
    """An upload's name and a document's metadata holding Markdown images and links make the
    page fetch nothing: the strings show as written (the tracking-pixel bug)."""
    expect = sync_api.expect
    trap = http.server.HTTPServer(("127.0.0.1", 0), RequestLog)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{trap.server_address[1]}"
    name = f"**bold** [lnk]({host}/fromname) ![im]({host}/fromname.png).md"
    title = f"Pixel ![x]({host}/p.png) [y]({host}/link)"
    body = (f"---\ntitle: '{title}'\nauthors: ['![a]({host}/author.png)']\ntype: Notes\n"
            f"date: 2024-02\n---\n\nThe Panmunjom pixel notes describe a trap for browsers.\n")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(server)
        expect(page.get_by_label("Your question")).to_be_visible()
        page.get_by_text("Corpus and index").click()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([
            {"name": name, "mimeType": "text/markdown", "buffer": body.encode()}])
        page.get_by_role("button", name="Add to the corpus").click()
        expect(page.get_by_text("**bold**", exact=False).first).to_be_visible()
        expect(page.get_by_text("The index is out of date")).to_be_visible()
        page.get_by_role("button", name="Rebuild the index").click()
        expect(page.get_by_text(re.compile(r"Indexed \d+ documents"))).to_be_visible()
        ask(page, "What do the Panmunjom pixel notes describe?")
        expect(page.get_by_text(title, exact=False).first).to_be_visible()
        wait_idle(page)
        page.get_by_role("button", name="Open citation").first.click()
        expect(page.get_by_text("Reference (Chicago)")).to_be_visible()
        wait_idle(page)
    finally:
        page.close()
        trap.shutdown()
    assert RequestLog.seen == [], f"the page fetched {RequestLog.seen} from a document's text"
