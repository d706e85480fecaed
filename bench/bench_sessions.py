"""Twenty sessions asking at once, without twenty browsers: what the server alone takes.

`bench_browser.py` found that twenty chromiums drawing Streamlit's page on the server's own two
cores use about 11 CPU-seconds from the first ask to the last answer, more than two cores give
in 3 s, so it cannot tell what the server would do for twenty users on their own machines. Here
each session is a Streamlit client speaking the app's own protocol (protobuf over the
`/_stcore/stream` websocket, as the browser's JavaScript does): it loads the page (a script run
with no widget state), then submits the question form with its question typed into the box,
exactly the widget states a browser sends, and waits for the run to finish with results (the
"Open citation" buttons). The clients are asyncio tasks in this one process, so they cost
next to nothing and the server has the cores: each wait is what the server takes.

    python bench/bench_sessions.py --repeats 3
    python bench/bench_sessions.py --sessions 20 --ask ready

The server is the real app (`streamlit run app.py`, through bench_browser.py's traced launcher)
on an index of the shipped corpus built for the run; the questions are the dev set's, one per
session. Prints, per case (a freshly started server, and a fresh one that has answered one other
question, as bench_browser.py's warm case), each wait from the ask to the results, their spread,
and the CPU the server and the clients used from the first ask to the last results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench_browser as browser_bench
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

QUESTION_BOX = "Your question"
RESULTS_BUTTON = "Open citation"  # one per passage shown
FINISHED = ForwardMsg.ScriptFinishedStatus.Name


@dataclass
class Wait:
    question: str
    loaded: float = 0.0  # the page's first run finished
    asked: float = 0.0
    done: float = 0.0
    passages: int = 0

    @property
    def seconds(self) -> float:
        return self.done - self.asked


class Client:
    """One session: a websocket to the app, speaking Streamlit's protobuf messages."""

    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection

    async def run(self, widgets: list[WidgetState]) -> list[Element]:
        """Ask for a script run with these widget states; the elements it drew, once it ends."""
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.widget_states.widgets.extend(widgets)
        await self.connection.send(message.SerializeToString())
        drawn = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.connection.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                drawn.append(forward.delta.new_element)
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    drawn = []  # that run was abandoned; the next one draws the page again
                    continue
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"the run ended {FINISHED(forward.script_finished)}")
                return drawn


def question_form(page: list[Element]) -> tuple[str, str]:
    """The widget ids of the question box and its form's submit button."""
    box = next(e.text_input.id for e in page
               if e.WhichOneof("type") == "text_input" and e.text_input.label == QUESTION_BOX)
    submit = next(e.button.id for e in page if e.WhichOneof("type") == "button"
                  and e.button.is_form_submitter and e.button.form_id == "ask")
    return box, submit


async def session(url: str, wait: Wait, go: asyncio.Event, loaded: asyncio.Event | None,
                  first_ask: Callable[[], None], timeout: float) -> None:
    """Load the page, wait for `go` (or not, when `loaded` is None), submit the question;
    `first_ask` is called just before the first session's ask."""
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None,
                                  open_timeout=timeout) as connection:
        client = Client(connection)
        box, submit = question_form(await asyncio.wait_for(client.run([]), timeout))
        wait.loaded = time.time()
        if loaded is not None:
            loaded.set()
            await go.wait()
        first_ask()
        wait.asked = time.time()
        drawn = await asyncio.wait_for(client.run([
            WidgetState(id=box, string_value=wait.question),
            WidgetState(id=submit, trigger_value=True)]), timeout)
        wait.done = time.time()
        wait.passages = sum(e.WhichOneof("type") == "button" and e.button.label == RESULTS_BUTTON
                            for e in drawn)
        if not wait.passages:
            raise RuntimeError(f"no results for {wait.question!r}")


async def sessions(url: str, questions: list[str], together: bool, timeout: float,
                   first_ask: Callable[[], None] = lambda: None) -> list[Wait]:
    """Every session at once; with `together`, all ask once every page has loaded. A session
    that fails stops the run at once (not after the others' timeout)."""
    waits = [Wait(q) for q in questions]
    go = asyncio.Event()
    loads = [asyncio.Event() for _ in questions] if together else [None] * len(questions)
    once = functools.cache(first_ask)
    tasks = [asyncio.create_task(session(url, w, go, e, once, timeout))
             for w, e in zip(waits, loads, strict=True)]
    if together:
        loading = asyncio.ensure_future(asyncio.gather(*(e.wait() for e in loads if e)))
        done, _ = await asyncio.wait([loading, *tasks], timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # a session that failed while the pages loaded raises here
        if loading not in done:
            raise TimeoutError("the pages did not all load")
        go.set()
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()
    return waits


def report(label: str, waits: list[Wait], server_cpu: float, client_cpu: float) -> float:
    """Print one case; returns the slowest wait."""
    seconds = sorted(w.seconds for w in waits)
    first_ask = min(w.asked for w in waits)
    spread = max(w.done for w in waits) - first_ask
    print(f"\n{label}")
    print(f"  waits from each ask (s): median {statistics.median(seconds):.2f}, "
          f"slowest {seconds[-1]:.2f}; all: {', '.join(f'{s:.2f}' for s in seconds)}")
    print(f"  first ask -> last results: {spread:.2f} s; asks spread over "
          f"{max(w.asked for w in waits) - first_ask:.2f} s; CPU from the first ask to the "
          f"last results: server {server_cpu:.1f} s, these clients {client_cpu:.1f} s")
    return seconds[-1]


def measured(url: str, server_pid: int, questions: list[str], together: bool, timeout: float,
             label: str) -> float:
    """One case; the CPU counted from the first ask (the page loads before it are not)."""
    before: list[float] = []

    def first_ask() -> None:
        before.extend([browser_bench.cpu_snapshot(server_pid, [])["server"], time.process_time()])

    waits = asyncio.run(sessions(url, questions, together, timeout, first_ask))
    after = browser_bench.cpu_snapshot(server_pid, [])["server"], time.process_time()
    return report(label, waits, after[0] - before[0], after[1] - before[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh server starts")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--ask", choices=["together", "ready"], default="together",
                        help="all ask once every page has loaded (as test_browser.py's twenty "
                             "sessions do), or each as soon as its page has loaded")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per wait")
    args = parser.parse_args()
    questions = browser_bench.devset_questions()
    warm_up, many = questions[0], questions[2:2 + args.sessions]
    if len(many) < args.sessions:
        raise SystemExit(f"the dev set has {len(questions)} answerable questions")
    together = args.ask == "together"
    slowest: dict[str, list[float]] = {"fresh": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as folder:
        work = Path(folder)
        env = {**os.environ, "RAG_CORPUS_DIR": str(work / "corpus"),
               "RAG_INDEX_DIR": str(work / "index"), "RAG_CACHE_DIR": str(work / "cache"),
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        browser_bench.build_index(work, env, browser_bench.ROOT)
        print(f"{args.sessions} sessions, {args.ask}, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        for repeat in range(1, args.repeats + 1):
            for case in ("warm", "fresh"):  # as bench_browser.py: warm = one question answered
                with browser_bench.running_server(work, f"{case}-{repeat}", env,
                                                  browser_bench.ROOT, False, "none") as server:
                    if case == "warm":
                        asyncio.run(sessions(server.url, [warm_up], False, args.timeout))
                    slowest[case].append(measured(
                        server.url, server.process.pid, many, together, args.timeout,
                        f"repeat {repeat}: a freshly started server"
                        + (", warmed by one other question" if case == "warm" else "")))
            sys.stdout.flush()
    print(f"\nsummary over {args.repeats} fresh server start(s), load average "
          f"{os.getloadavg()[0]:.2f} at the end:")
    for case, values in slowest.items():
        print(browser_bench.median_line(f"{args.sessions} sessions, {case} server: slowest wait "
                                        "(s)", values))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
