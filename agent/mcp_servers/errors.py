"""The one exception domain code raises for a request it refuses."""

from __future__ import annotations


class RequestError(Exception):
    """A tool call that cannot be carried out; the message is read to the caller's agent as-is.

    Messages are written for a person: say what was wrong and what a good value looks like,
    e.g. "No asset with tag A999. Tags look like A123."
    """
