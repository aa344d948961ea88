#!/bin/sh
# `make demo`: what the example is, what mypy with the plugin finds in it, the edits
# `mypy-wsplugin fix` would make, and the one command that applies them.
#   sh examples/demo.sh BIN SHOWN_BIN
# BIN holds mypy and mypy-wsplugin; SHOWN_BIN is how the last line names it (relative to
# examples/chat_service).
set -u
bin=$1
shown=$2
cd "$(dirname "$0")/chat_service" || exit 2

cat <<'TEXT'
== mypy_wsplugin demo: examples/chat_service ==

A small WebSocket chat service with planted bugs of both kinds the plugin reports. Each
planted line ends in a "# BUG" comment (see examples/chat_service/README.md):

  await-not-awaitable  `manager = await get_websocket_manager(ctx)` awaits a plain def's
                       result: TypeError at run time. In agents/workflow.py,
                       handlers/messages.py, testing.py, and twice in the unannotated
                       legacy/handlers.py (found there on mypy >= 2.4 only).
  missing-await        handlers/presence.py calls two async defs without await:
                       `if is_connected(ctx):` is always true (a coroutine object), and
                       `manager = open_websocket_manager(ctx)` then `manager.send_event(...)`
                       looks up send_event on the coroutine: AttributeError.

== 1. mypy with the plugin: `mypy .` ==

TEXT
"$bin/mypy" .
status=$?
[ "$status" -le 1 ] || exit "$status"  # 1: it found the bugs, as it should

cat <<'TEXT'

== 2. the edits `mypy-wsplugin fix` would make (a dry run: nothing is written) ==

TEXT
"$bin/mypy-wsplugin" fix || exit $?

cat <<TEXT

== 3. to apply them (this edits the example; \`git checkout examples/chat_service\` undoes it) ==

cd examples/chat_service && $shown/mypy-wsplugin fix --write
TEXT
