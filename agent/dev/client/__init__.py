"""A caller for ``/invocations_ws``: what ``switchboard call``, the demo and tests place calls with.

``audio`` reads/writes WAV and cuts frames; ``script`` parses call scripts; ``caller`` is the
WebSocket client (real-time microphone pump, turn tracking, resume after a drop); ``render``
turns protocol events into readable lines; ``auth`` adds the Entra bearer token for Foundry.
"""
