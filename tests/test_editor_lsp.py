"""An editor's view: python-lsp-server with pylsp-mypy in daemon mode, driven over LSP.

The test is the editor: it starts ``pylsp`` on stdio, speaks JSON-RPC to it with the small
client below, opens, edits and saves files as an editor would, and reads the
``textDocument/publishDiagnostics`` notifications. pylsp-mypy runs ``dmypy run`` on the
saved file (``live_mode`` off) with the project's ``mypy.ini``, which enables the plugin.

pylsp-mypy puts mypy's message (without the ``[code]``) in ``message`` and the error code
in ``code``; ``source`` is ``"mypy"``. It checks the file that was opened or saved, so a
finding in a file brought by an edit of another file shows when that file is next saved.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES

HAS_POST_PASS = CAPABILITIES.post_pass

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pylsp_mypy") is None,
    reason="pylsp-mypy is not installed (it needs Python >= 3.11; the dev extra has it there)",
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chat_service"
TIMEOUT = 60.0  # seconds, for any one answer of the server (a loaded 2-core machine)

Message = dict[str, Any]
Diagnostic = dict[str, Any]


class ServerGone(AssertionError):
    pass


class LspClient:
    """A minimal LSP client over the server's stdin/stdout (JSON-RPC with Content-Length)."""

    def __init__(self, process: subprocess.Popen[bytes], logs: list[Path]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.logs = logs  # the server's log and stderr, shown when something is missing
        self._stdin: IO[bytes] = process.stdin
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self._next_id = 0
        self.published: list[tuple[str, list[Diagnostic]]] = []
        self._read_upto: dict[str, int] = {}
        reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        reader.start()

    # -- wire -----------------------------------------------------------------------------

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                assert length is not None, "a message without Content-Length"
                self._inbox.put(json.loads(stream.read(length)))
        finally:
            self._inbox.put(None)

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        try:
            self._stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self._stdin.flush()
        except OSError as error:
            raise ServerGone(f"the server's input is closed ({error}); {self._history()}") from None

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        number = self._next_id
        self._send({"id": number, "method": method, "params": params})
        answer = self._receive_until(
            lambda m: m.get("id") == number and "method" not in m, f"the answer to {method}"
        )
        assert "error" not in answer, answer
        return answer.get("result")

    def _receive_until(self, done: Callable[[Message], bool], what: str) -> Message:
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            try:
                message = self._inbox.get(timeout=max(left, 0))
            except queue.Empty:
                raise AssertionError(
                    f"no {what} within {TIMEOUT:.0f} s; {self._history()}"
                ) from None
            if message is None:
                self._inbox.put(None)  # for whoever waits next (the teardown)
                raise ServerGone(f"the server closed its output; {self._history()}")
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.published.append((params["uri"], params["diagnostics"]))
            elif "method" in message and "id" in message:
                # A request of the server's (progress tokens, capability registration): ok.
                self._send({"id": message["id"], "result": None})
            if done(message):
                return message

    def _history(self) -> str:
        tails = "".join(
            f"\n{log.name} (tail):\n{log.read_text(errors='replace')[-3000:]}"
            for log in self.logs
            if log.exists()
        )
        return f"published so far: {self.published}{tails}"

    # -- what an editor does --------------------------------------------------------------

    def diagnostics(self, uri: str) -> list[Diagnostic]:
        """The next diagnostics published for ``uri`` (each is read once)."""
        seen = self._read_upto.get(uri, 0)

        def mine() -> list[list[Diagnostic]]:
            return [diags for u, diags in self.published if u == uri]

        if len(mine()) <= seen:
            self._receive_until(lambda _: len(mine()) > seen, f"diagnostics for {uri}")
        self._read_upto[uri] = seen + 1
        return mine()[seen]


def pylsp_settings(root: Path) -> dict[str, Any]:
    """What the editor sends as ``pylsp`` settings: pylsp-mypy with the daemon, on save."""
    return {
        "plugins": {
            "pylsp_mypy": {
                "enabled": True,
                "dmypy": True,
                "live_mode": False,
                "report_progress": False,
                "dmypy_status_file": str(root / ".dmypy.json"),
            },
            # Other linters would publish their own diagnostics beside mypy's.
            "pycodestyle": {"enabled": False},
            "pyflakes": {"enabled": False},
            "mccabe": {"enabled": False},
            "pydocstyle": {"enabled": False},
            "pylint": {"enabled": False},
            "flake8": {"enabled": False},
        }
    }


def uri(path: Path) -> str:
    return path.as_uri()


class Editor:
    """An editor session on ``root`` (the workspace folder, where ``mypy.ini`` is)."""

    def __init__(self, client: LspClient) -> None:
        self.client = client
        self.versions: dict[str, int] = {}

    def open(self, path: Path) -> str:
        doc = uri(path)
        self.versions[doc] = 1
        self.client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": doc,
                    "languageId": "python",
                    "version": 1,
                    "text": path.read_text(),
                }
            },
        )
        return doc

    def edit_and_save(self, path: Path, text: str) -> None:
        """Replace the buffer of an open file, write it to disk and tell the server."""
        doc = uri(path)
        self.versions[doc] += 1
        self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": doc, "version": self.versions[doc]},
                "contentChanges": [{"text": text}],
            },
        )
        path.write_text(text)
        self.save(path)

    def save(self, path: Path) -> None:
        self.client.notify(
            "textDocument/didSave", {"textDocument": {"uri": uri(path)}, "text": path.read_text()}
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited (its parent, init, reaps it when it gets to it)
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _daemon_pid(status: Path) -> int | None:
    try:
        return int(json.loads(status.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@pytest.fixture
def start_editor(tmp_path: Path) -> Iterator[Callable[[Path], Editor]]:
    """Start pylsp on a workspace folder; at the end shut it down and the daemon with it."""
    started: list[tuple[subprocess.Popen[bytes], LspClient, Path]] = []

    def start(root: Path) -> Editor:
        env = dict(os.environ)
        env.pop("MYPYPATH", None)
        # pylsp-mypy runs the ``dmypy`` it finds on PATH: this venv's (that of the plugin).
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        log, stderr = tmp_path / f"pylsp-{len(started)}.log", tmp_path / f"pylsp-{len(started)}.err"
        with stderr.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "pylsp", "-v", "--log-file", str(log)],
                cwd=root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
            )
        client = LspClient(process, [log, stderr])
        started.append((process, client, root))
        client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": root.name}],
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": {},
                        "synchronization": {"didSave": True},
                    }
                },
            },
        )
        client.notify("initialized", {})
        client.notify(
            "workspace/didChangeConfiguration", {"settings": {"pylsp": pylsp_settings(root)}}
        )
        return Editor(client)

    try:
        yield start
    finally:
        for process, client, root in started:
            _stop(process, client, root / ".dmypy.json")


def _stop(process: subprocess.Popen[bytes], client: LspClient, status: Path) -> None:
    daemon = _daemon_pid(status)
    try:
        if process.poll() is None:
            client.request("shutdown", None)  # pylsp-mypy stops the daemon here
            client.notify("exit", None)
            process.wait(timeout=TIMEOUT)
    except (AssertionError, OSError, subprocess.TimeoutExpired):
        pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
    if status.exists():
        subprocess.run(
            [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), "kill"],
            capture_output=True,
            timeout=TIMEOUT,
        )
    if daemon is not None:
        deadline = time.monotonic() + 10
        while _pid_alive(daemon) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _pid_alive(daemon):
            os.kill(daemon, signal.SIGKILL)


# -- a handler awaiting a factory of another module ----------------------------------------------

ASYNC_FACTORY = (
    "class Manager:\n    pass\n\n\nasync def get_manager() -> Manager:\n    return Manager()\n"
)
SYNC_FACTORY = ASYNC_FACTORY.replace("async def", "def")
HANDLERS = {
    "annotated": (
        "from app.factory import Manager, get_manager\n\n\n"
        "async def handle() -> Manager:\n    return await get_manager()\n"
    ),
    # checked by the plugin's pass over unannotated code (mypy >= 2.4)
    "unannotated": (
        "from app.factory import get_manager\n\n\n"
        "async def handle(ws):\n    return await get_manager()\n"
    ),
}
FINDING: Diagnostic = {
    "source": "mypy",
    "code": "await-not-awaitable",
    "message": (
        'Cannot await "get_manager()": it returns "Manager", which is not awaitable; '
        'remove the "await"'
    ),
    "severity": 1,
    # line 5, the call "get_manager()" (0-based lines and characters; the end is exclusive)
    "range": {"start": {"line": 4, "character": 17}, "end": {"line": 4, "character": 30}},
}


def make_project(root: Path, handler: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "factory.py").write_text(SYNC_FACTORY)
    (root / "app" / "handler.py").write_text(handler)
    return root


@pytest.mark.parametrize(
    "kind",
    [
        "annotated",
        pytest.param(
            "unannotated",
            marks=pytest.mark.skipif(
                not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4"
            ),
        ),
    ],
)
def test_findings_follow_edits_of_a_dependency(
    kind: str, tmp_path: Path, start_editor: Callable[[Path], Editor]
) -> None:
    project = make_project(tmp_path / "project", HANDLERS[kind])
    editor = start_editor(project)
    handler, factory = project / "app" / "handler.py", project / "app" / "factory.py"
    client = editor.client

    doc = editor.open(handler)
    assert client.diagnostics(doc) == [FINDING]
    daemon = _daemon_pid(project / ".dmypy.json")
    assert daemon is not None

    # The factory turns async in the editor and is saved; the handler is saved next
    # (pylsp-mypy checks the file that is saved).
    dep = editor.open(factory)
    assert client.diagnostics(dep) == []
    editor.edit_and_save(factory, ASYNC_FACTORY)
    assert client.diagnostics(dep) == []
    editor.save(handler)
    assert client.diagnostics(doc) == []

    # And back to a plain def: the finding comes back.
    editor.edit_and_save(factory, SYNC_FACTORY)
    assert client.diagnostics(dep) == []
    editor.save(handler)
    assert client.diagnostics(doc) == [FINDING]

    # One daemon answered throughout: these were its incremental updates, not restarts.
    assert _daemon_pid(project / ".dmypy.json") == daemon


def test_plugin_settings_edit_takes_effect_at_the_next_save(
    tmp_path: Path, start_editor: Callable[[Path], Editor]
) -> None:
    """pylsp-mypy runs ``dmypy run``, which restarts the daemon when the plugin's version
    changes; the plugin's version carries a digest of its settings."""
    project = make_project(tmp_path / "project", HANDLERS["annotated"])
    editor = start_editor(project)
    handler = project / "app" / "handler.py"
    doc = editor.open(handler)
    assert editor.client.diagnostics(doc) == [FINDING]

    config = project / "mypy.ini"
    config.write_text(config.read_text() + "[mypy_wsplugin]\ncheck_all_awaits = false\n")
    editor.save(handler)
    [plain] = editor.client.diagnostics(doc)  # mypy's own error: the plugin steps aside
    assert (plain["code"], plain["range"]["start"]["line"]) == ("misc", 4), plain


# -- the bundled example ---------------------------------------------------------------------------


def example_finding(line: int, call: str, start: int, end: int) -> Diagnostic:
    return {
        "source": "mypy",
        "code": "await-not-awaitable",
        "message": (
            f'Cannot await "{call}()": it returns "UnifiedWebSocketManager", which is not '
            'awaitable; remove the "await"'
        ),
        "severity": 1,
        "range": {
            "start": {"line": line - 1, "character": start - 1},
            "end": {"line": line - 1, "character": end},
        },
    }


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "chat_service"
    shutil.copytree(
        EXAMPLE, root, ignore=shutil.ignore_patterns(".mypy_cache", ".dmypy.json", "__pycache__")
    )
    return root


def test_example_modules(example: Path, start_editor: Callable[[Path], Editor]) -> None:
    editor = start_editor(example)
    # The legacy handlers first: their findings are in unannotated code (mypy >= 2.4); a
    # module opened after another one has them too (the test below).
    legacy = editor.open(example / "chat_service" / "legacy" / "handlers.py")
    assert editor.client.diagnostics(legacy) == (
        [
            example_finding(18, "get_websocket_manager", 21, 50),
            example_finding(24, "get_legacy_manager", 21, 58),
        ]
        if HAS_POST_PASS
        else []
    )
    # mypy also reports the seeded bug in chat_service/agents/workflow.py, which this module
    # imports; pylsp-mypy publishes only the findings in the file it checks.
    messages = editor.open(example / "chat_service" / "handlers" / "messages.py")
    assert editor.client.diagnostics(messages) == [
        example_finding(38, "get_websocket_manager", 21, 68)
    ]


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_unannotated_finding_when_opened_after_another_file(
    tmp_path: Path, start_editor: Callable[[Path], Editor]
) -> None:
    project = make_project(tmp_path / "project", HANDLERS["unannotated"])
    (project / "app" / "other.py").write_text("x: int = 1\n")
    editor = start_editor(project)
    other = editor.open(project / "app" / "other.py")
    assert editor.client.diagnostics(other) == []
    doc = editor.open(project / "app" / "handler.py")
    # On open: a module joining the daemon's build after another file was checked (its
    # findings were lost in that update until the pass filed them under the module's own
    # target, which the daemon re-checks and the plugin refiles).
    assert editor.client.diagnostics(doc) == [FINDING]
    editor.save(project / "app" / "handler.py")
    assert editor.client.diagnostics(doc) == [FINDING]
