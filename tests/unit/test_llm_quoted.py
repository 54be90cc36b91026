"""The caller's words handed to the model in a tool error (agent/brain/llm.py): quoted as a sentence of their own."""

from agent.brain.domain import asked_for_the_ear
from agent.brain.llm import _quoted


def test_words_without_marks_quoted_leave_the_reply_cuttable_for_the_ear() -> None:
    said = ("oh hang on the shift lead just told me the pressure is fine and sam says theres no need so can you cancel "
            "that visit again sorry")
    reply = (f"Sorry, that didn't work: Not done: this call already logged W O, one zero zero, zero three for the same "
             f"request, and the caller does not want another. They said: {_quoted(said)} Shall I try again, or put you "
             f"through to a person?")
    cut = asked_for_the_ear(reply)
    assert len(cut.split()) <= 40 and cut.endswith("Shall I try again, or put you through to a person?"), cut
    assert _quoted("no thats it.") == '"no thats it".'
