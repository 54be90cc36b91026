"""``switchboard call``: place a call against any ``/invocations_ws`` endpoint.

``--say "text"`` speaks synthesised caller audio, ``--wav FILE`` streams a recording in real
time (resampled to the session rate), ``--script FILE`` runs a multi-turn call script (see
``agent/dev/client/script.py``), ``--type "text"`` sends one typed turn. Prints the transcript with
routing, tools, hand-over and per-turn latency; ``--save-audio`` writes what the agent said.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

DEFAULT_URL = "ws://127.0.0.1:8088/invocations_ws"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("call", help="place a call (speech, recording, script or typed) and print the transcript")
    p.add_argument("--url", default=DEFAULT_URL, help=f"agent WebSocket (default {DEFAULT_URL}); "
                   "a Foundry wss:// endpoint gets a bearer token from azure-identity")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--say", help="the caller's words, spoken with the Piper voice")
    what.add_argument("--wav", type=Path, help="a recording of the caller (16-bit WAV, any rate)")
    what.add_argument("--script", type=Path, help="a YAML call script (say/wav/type/dtmf/wait/hangup steps)")
    what.add_argument("--type", dest="typed", help="one typed caller turn (input.text)")
    p.add_argument("--rate", type=int, default=16000, choices=(8000, 16000, 24000), help="session sample rate")
    p.add_argument("--save-audio", type=Path, metavar="OUT.wav", help="write the agent's audio to a WAV file")
    p.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for each answer (default 90)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.dev.client.audio import AudioFileError, read_wav, write_wav
    from agent.dev.client.auth import bearer_headers
    from agent.dev.client.caller import CallError
    from agent.dev.client.runner import PiperCallerVoice, run_script
    from agent.dev.client.script import CallScript, ScriptError, Step, load_script

    try:
        if args.script:
            script = load_script(args.script)
        elif args.wav:
            read_wav(args.wav, args.rate)  # a bad file fails here, before connecting
            script = CallScript(args.wav.stem, (Step("wav", text=str(args.wav)),))
        elif args.say is not None:
            script = CallScript("say", (Step("say", text=_checked(args.say)),))
        else:
            script = CallScript("typed", (Step("type", text=_checked(args.typed)),))
        headers = bearer_headers(args.url)
        result = asyncio.run(run_script(args.url, script, voice=PiperCallerVoice(), headers=headers,
                                        sample_rate=args.rate, turn_timeout_s=args.timeout))
    except (ScriptError, AudioFileError, CallError, ValueError) as exc:
        print(f"call: {exc}", file=sys.stderr)
        return 1
    if args.save_audio:
        write_wav(args.save_audio, result.agent_audio, result.sample_rate)
        print(f"saved {len(result.agent_audio) / 2 / result.sample_rate:.1f} s of agent audio to {args.save_audio}")
    return 1 if result.log.errors else 0


def _checked(text: str) -> str:
    from agent.dev.client.script import MAX_TEXT, ScriptError

    if not text.strip() or len(text) > MAX_TEXT:
        raise ScriptError(f"the caller's words must be 1-{MAX_TEXT} characters")
    return text.strip()
