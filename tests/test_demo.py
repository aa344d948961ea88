"""``make demo`` tells a newcomer what the example is, shows what mypy finds, then ends with
the diff ``mypy-wsplugin fix`` would apply and the one command that applies it; exit 0."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES

HAS_POST_PASS = CAPABILITIES.post_pass

ROOT = Path(__file__).resolve().parent.parent
BUG = "# BUG: awaits a sync factory"
LEGACY = "# BUG(mypy>=2.4): awaits a sync factory"


def hunk(path: str, header: str, before: list[str], old: str, new: str, after: list[str]) -> str:
    lines = [f"--- a/{path}", f"+++ b/{path}", header]
    lines += [f" {line}".rstrip() + ("" if line else " ") for line in before]
    lines += [f"-{old}", f"+{new}"]
    lines += [f" {line}".rstrip() + ("" if line else " ") for line in after]
    return "\n".join(lines) + "\n"


FACTORY = "    manager = {}get_websocket_manager(user_context=user_context)  " + BUG
DIFF = "".join(
    [
        hunk(
            "chat_service/agents/workflow.py",
            "@@ -40,7 +40,7 @@",
            [
                "",
                "async def run_agent_workflow(user_context: UserContext, request: AgentRequest) "
                "-> str:",
                '    """As shipped: crashes before the first event is sent."""',
            ],
            FACTORY.format("await "),
            FACTORY.format(""),
            ["    return await drive_agent(manager, request)", "", ""],
        ),
        hunk(
            "chat_service/handlers/messages.py",
            "@@ -35,7 +35,7 @@",
            [
                "async def handle_user_message(user_context: UserContext, raw: str) -> str:",
                '    """As shipped: every chat message fails with ``TypeError``."""',
                "    message = parse_message(raw)",
            ],
            FACTORY.format("await "),
            FACTORY.format(""),
            [
                "    request = AgentRequest(prompt=message.text, tool=message.tool)",
                "    task = asyncio.create_task(drive_agent(manager, request), "
                "name=user_context.request_id)",
                "    return await task",
            ],
        ),
        "--- a/chat_service/handlers/presence.py\n"
        "+++ b/chat_service/handlers/presence.py\n"
        "@@ -21,7 +21,7 @@\n"
        " \n"
        " async def notify_user(user_context: UserContext, text: str) -> bool:\n"
        '     """As shipped: writes to a closed connection, because the check is always '
        'true."""\n'
        "-    if is_connected(user_context):  # BUG: coroutine used without await\n"
        "+    if await is_connected(user_context):  # BUG: coroutine used without await\n"
        "         manager = get_websocket_manager(user_context)\n"
        '         await manager.send_event("agent_completed", {"notice": text})\n'
        "         return True\n"
        "@@ -39,7 +39,7 @@\n"
        " \n"
        " async def announce_online(user_context: UserContext) -> EventFrame:\n"
        '     """As shipped: fails with ``AttributeError``, the coroutine has no '
        '``send_event``."""\n'
        "-    manager = open_websocket_manager(user_context)\n"
        "+    manager = await open_websocket_manager(user_context)\n"
        '     return await manager.send_event("agent_started", {})  '
        "# BUG: coroutine used without await\n"
        " \n"
        " \n",
        (
            "--- a/chat_service/legacy/handlers.py\n"
            "+++ b/chat_service/legacy/handlers.py\n"
            "@@ -15,13 +15,13 @@\n"
            " \n"
            " async def handle_legacy_ping(user_id, thread_id):\n"
            "     context = UserContext(user_id, thread_id)\n"
            f"-    manager = await get_websocket_manager(context)  {LEGACY}\n"
            f"+    manager = get_websocket_manager(context)  {LEGACY}\n"
            '     await manager.send_event("agent_started", {"ping": True})\n'
            "     return manager\n"
            " \n"
            " \n"
            ' async def handle_legacy_reconnect(user_id, thread_id="legacy"):\n'
            f"-    manager = await get_legacy_manager(user_id, thread_id)  {LEGACY}\n"
            f"+    manager = get_legacy_manager(user_id, thread_id)  {LEGACY}\n"
            '     await manager.send_event("agent_completed", {"reconnected": True})\n'
            "     return manager\n"
            " \n"
            if HAS_POST_PASS
            else ""
        ),
        hunk(
            "chat_service/testing.py",
            "@@ -29,7 +29,7 @@",
            [
                'async def connect_test_client(user_id: str = "test-user") -> ChatTestClient:',
                '    """As shipped: every test that used this helper failed during setup."""',
                "    user_context = make_user_context(user_id)",
            ],
            FACTORY.format("await "),
            FACTORY.format(""),
            ["    return ChatTestClient(user_context=user_context, manager=manager)", "", ""],
        ),
    ]
)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_ends_with_the_diff_and_the_command(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MYPYPATH")}
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "demo-run", f"BIN={bin_dir}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        env={**env, "MYPY_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stdout
    intro, rest = result.stdout.split("== 1. mypy with the plugin: `mypy .` ==\n")
    assert "await-not-awaitable" in intro and "missing-await" in intro
    edits = "7 edits in 5 files" if HAS_POST_PASS else "5 edits in 4 files"
    assert rest.split("== 2. the edits `mypy-wsplugin fix` would make")[1] == (
        " (a dry run: nothing is written) ==\n"
        "\n"
        f"{DIFF}"
        f"{edits}; to apply: mypy-wsplugin fix --write\n"
        "\n"
        "== 3. to apply them (this edits the example; `git checkout examples/chat_service` "
        "undoes it) ==\n"
        "\n"
        f"cd examples/chat_service && {bin_dir}/mypy-wsplugin fix --write\n"
    )
