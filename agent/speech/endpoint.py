"""Turn-taking as a pure state machine over per-frame speech decisions.

``Endpointer.step`` takes one 20 ms frame's verdict (speech or not, agent speaking
or not) and returns what happened: an utterance started (with pre-roll so first
words are not clipped), recognition can start speculatively (silence began), the
caller may be barging in (sustained voice while the agent talks: a candidate, which
the channel confirms from the words, ``agent/speech/bargein.py``), a turn model should judge
the audio (a short silence began), the turn ended, or the sound was too short to be
speech (a cough, a click). No audio and no clocks: frame counts only.

When the turn ends, from two opinions that arrive during the silence (both optional):
the speculative transcript (``set_hint``: its text, and the completeness model's probability
that the words are a finished request, ``agent/speech/completeness.py``) and the turn model's
verdict on the audio (``set_verdict``: does the voice sound finished?). The words are judged
one of three ways (``words_opinion``): *unfinished* (probability below ``unfinished_below``,
or without a probability the last-word rules of ``sounds_unfinished``; with ``rules_in_band``, also
the rules between the two thresholds), *finished* (probability at least ``finished_above``) or
*unsure* (in between, or the rules find nothing wrong).

- no words yet, words unfinished ("... at site", "the generator at the north depot"): wait
  for ``hold_ms``, the cap;
- words finished: end after ``short_ms``; a voice the model hears as unfinished makes it
  ``silence_ms`` (a hesitant audio model never makes a finished request wait for the cap);
- words unsure: end after ``silence_ms``; at once if the model hears a finished voice, at
  the cap if it hears an unfinished one (it is asked once the words are in and ``judge_ms``
  of silence has passed).

With ``voice_weight`` set (``SWITCHBOARD_TURN_WORDS=fused``), the two are one opinion instead:
the words' probability and Smart Turn's are combined in log-odds (``fused``: the words' log-odds plus
``voice_weight`` times the voice's), and that joint probability is sorted by the same thresholds.
Either signal can then move the other's verdict both ways, by as much as its weight allows; the
voice model is asked at every pause (``judge_ms``), and the turn waits for its answer (never past the cap).

An answer to the agent's question changes the verdict (``set_hint(..., answer=...)``, from
``agent/call/expected.py``): ANSWERED (the words are a complete answer to what the agent just asked: "Yes,
that is the one." after "Is it the chiller?", "Site four." after "Which site is it?") ends the turn after
``answer_ms`` whatever the words-only opinion and the voice model say, in every mode; BARE_YES_NO (a yes or
no alone: "Yes.") after ``silence_ms`` at the latest, sooner if the words alone say so: callers pause
200-400 ms after "Yes," before "but only if ..." (``bench speech --answers``), which the short stop would cut.
Only positive opinions come in: words that do not answer are judged as if nothing had been asked.

Nothing waits beyond ``hold_ms``, so a wrong opinion costs a finished request at most the
cap, never Pipecat's 3 s fallback. Unfused, the audio model alone never ends a turn whose words
are unfinished: on synthetic callers it hears most mid-sentence pauses as finished
(``switchboard bench speech``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Union

#: Last words after which a speaker is usually mid-sentence ("my laptop is ...").
_UNFINISHED_WORDS = frozenset(
    "a an the and or but so because if then that which who to of at in on for with from by about into "
    "is are was were am be my our your their his her its it's i'm i've there's um uh er like number".split()
)
#: Two-word endings that announce a value still to come ("... at site", "work order").
_UNFINISHED_PAIRS = frozenset({("at", "site"), ("work", "order"), ("order", "number"), ("asset", "tag"),
                               ("ticket", "number"), ("site", "number"), ("it", "says")})
_WORD = re.compile(r"[a-z0-9']+")


def sounds_unfinished(text: str) -> bool:
    """True if ``text`` (a partial transcript) reads like the speaker has not finished."""
    t = text.strip().lower()
    if not t:
        return False
    if t.endswith(("...", "…", ",", "-", "—")):
        return True
    words = _WORD.findall(t)
    if not words:
        return False
    return words[-1] in _UNFINISHED_WORDS or tuple(words[-2:]) in _UNFINISHED_PAIRS


UNFINISHED, UNSURE, FINISHED = "unfinished", "unsure", "finished"
#: What the words are as an answer to the agent's question (``set_hint``): complete, or a yes or no alone.
ANSWERED, BARE_YES_NO = "answered", "bare yes/no"


@dataclass(frozen=True)
class EndpointConfig:
    frame_ms: int = 20
    silence_ms: int = 500  # silence that ends a turn
    hold_ms: int = 1100  # silence that ends a turn which sounds unfinished
    preroll_ms: int = 300  # audio kept from before the detected onset
    onset_frames: int = 2  # speech frames among the last three that start an utterance
    speculate_ms: int = 100  # silence after which recognition starts speculatively
    min_speech_ms: int = 200  # utterances with less speech are noise
    barge_in_ms: int = 140  # voice while the agent talks that may interrupt it (its words are then judged)
    barge_gap_ms: int = 100  # pauses up to this long do not break "sustained" (gated frames inside words)
    judge_ms: int | None = None  # silence after which a turn model judges the audio (None: no model)
    short_ms: int | None = None  # silence that ends a turn whose words are finished (None: silence_ms)
    #: Completeness probabilities (agent/speech/completeness.py) at or above which the words are finished,
    #: and below which they are unfinished: ``bench speech --tune`` on the dev half of its phrases (fewest
    #: false cut-offs plus false holds) gave 0.658; no "unsure" band between them by default (docs/speech.md).
    finished_above: float = 0.66
    unfinished_below: float = 0.66
    #: Weight of Smart Turn's log-odds beside the words' in the fused opinion (None: not fused, the rules
    #: above). With fusion the thresholds above apply to the joint probability (``fused``).
    voice_weight: float | None = None
    #: Silence that ends a turn whose words completely answer the agent's question (None: ``short_ms``,
    #: else ``silence_ms``).
    answer_ms: int | None = None
    #: With a probability, the last-word rules still call words in the unsure band unfinished
    #: (``SWITCHBOARD_TURN_WORDS=hybrid``): the model only shortens or lengthens the rules' wait where it is sure.
    rules_in_band: bool = False


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def fused(words: float, voice: float | None, weight: float) -> float:
    """The joint probability that the caller has finished: the words' log-odds plus ``weight`` times the
    voice model's (None: the words alone). Rises with either signal; ``weight`` 0 is the words alone."""
    if voice is None or weight == 0:
        return words
    return 1.0 / (1.0 + math.exp(-(_logit(words) + weight * _logit(voice))))


def words_opinion(text: str, complete: float | None, config: EndpointConfig) -> str:
    """UNFINISHED, UNSURE or FINISHED: ``complete`` is the completeness model's probability (None: the rules)."""
    if complete is None:
        return UNFINISHED if sounds_unfinished(text) else UNSURE
    if complete >= config.finished_above:
        return FINISHED
    if complete < config.unfinished_below or (config.rules_in_band and sounds_unfinished(text)):
        return UNFINISHED
    return UNSURE


@dataclass(frozen=True)
class Onset:
    at_ms: float  # first speech frame, caller-audio time


@dataclass(frozen=True)
class Speculate:
    end_ms: float  # recognise the utterance up to here now; the turn may end at this point


@dataclass(frozen=True)
class Judge:
    end_ms: float  # ask the turn model about the utterance so far (speech ended here)


@dataclass(frozen=True)
class Barge:
    at_ms: float


@dataclass(frozen=True)
class TurnEnd:
    end_ms: float  # end of the last speech frame


@dataclass(frozen=True)
class Dropped:
    voiced_ms: float


Signal = Union[Onset, Speculate, Judge, Barge, TurnEnd, Dropped]


class Endpointer:
    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.frames = 0  # frames seen; frame i spans [i, i+1) * frame_ms
        self._recent: list[bool] = []
        self._reset()

    @property
    def in_utterance(self) -> bool:
        return self._start_ms is not None

    def _reset(self) -> None:
        self._start_ms: float | None = None
        self._last_voiced_end = 0.0
        self._voiced_ms = 0.0
        self._run_ms = 0.0  # speech in the current sustained run (gaps not counted)
        self._run_voice = False  # the voice model confirmed a frame of that run
        self._barged = False
        self._speculated_at: float | None = None
        self._judged_at: float | None = None
        self._hint: str | None = None
        self._words: str | None = None  # words_opinion of the hint
        self._answer: str | None = None  # the hint as an answer to the agent's question (ANSWERED, BARE_YES_NO)
        self._finished: bool | None = None  # the turn model's verdict on the current pause
        self._complete: float | None = None  # the completeness probability of the hint (fused only)
        self._voice: float | None = None  # the turn model's probability (fused only)
        self._voice_in = False  # the turn model has answered (or failed) about the current pause

    def set_hint(self, end_ms: float, text: str, complete: float | None = None, answer: str | None = None) -> None:
        """The speculative transcript for the utterance up to ``end_ms`` (ignored if speech resumed since),
        with the completeness model's probability that it is a finished request (None: judged by rules), and
        what it is as an answer to the agent's question (ANSWERED, BARE_YES_NO or None, ``agent/call/expected.py``)."""
        if self.in_utterance and end_ms == self._last_voiced_end:
            self._hint = text
            self._complete = complete
            self._words = words_opinion(text, complete, self.config)
            self._answer = answer

    def set_verdict(self, end_ms: float, finished: bool | None, probability: float | None = None) -> None:
        """The turn model's verdict for the utterance up to ``end_ms`` (ignored if speech resumed since), and
        the probability it came from (fused only; None with ``finished`` None: the model failed, the words decide)."""
        if self.in_utterance and end_ms == self._last_voiced_end:
            self._finished = finished
            self._voice = probability
            self._voice_in = True

    @property
    def voiced_ms(self) -> float:
        """Speech in the current utterance so far (0 outside one)."""
        return self._voiced_ms if self.in_utterance else 0.0

    def step(self, speech: bool, agent_speaking: bool = False, voice: bool | None = None) -> list[Signal]:
        """``voice``: a second opinion that a speech frame is a human voice (not noise): a run of
        speech is a barge-in candidate only once it has confirmed one of its frames (None: ``speech``)."""
        c = self.config
        voice = speech if voice is None else speech and voice
        start, end = self.frames * c.frame_ms, (self.frames + 1) * c.frame_ms
        self.frames += 1
        self._recent = (self._recent + [speech])[-3:]
        out: list[Signal] = []
        if self._start_ms is None:
            if speech and sum(self._recent) >= c.onset_frames:
                first = start - c.frame_ms * (len(self._recent) - 1 - self._recent.index(True))
                self._start_ms = first
                self._voiced_ms = self._run_ms = c.frame_ms * sum(self._recent)
                self._run_voice = voice
                self._last_voiced_end = end
                out.append(Onset(first))
                out.extend(self._maybe_barge(agent_speaking))
            return out
        if speech:
            if start - self._last_voiced_end > c.barge_gap_ms:
                self._run_ms, self._run_voice = 0.0, False
            self._run_ms += c.frame_ms
            self._run_voice = self._run_voice or voice
            self._hint = self._words = self._finished = None  # new speech: any speculation is stale
            self._answer = None
            self._complete = self._voice = None
            self._voice_in = False
            self._last_voiced_end = end
            self._voiced_ms += c.frame_ms
            out.extend(self._maybe_barge(agent_speaking))
            return out
        silence = end - self._last_voiced_end
        if self._voiced_ms < c.min_speech_ms:
            if silence >= c.silence_ms:
                out.append(Dropped(self._voiced_ms))
                self._reset()
            return out
        if silence >= c.speculate_ms and self._speculated_at != self._last_voiced_end:
            self._speculated_at = self._last_voiced_end
            out.append(Speculate(self._last_voiced_end))
        if self._ends(silence):
            out.append(TurnEnd(self._last_voiced_end))
            self._reset()
        elif (c.judge_ms is not None and silence >= c.judge_ms and self._judged_at != self._last_voiced_end
              and (c.voice_weight is not None or (self._words is not None and self._words != UNFINISHED))):
            # Unfused, only finished-sounding words can end the turn early, so only they are worth a model call;
            # asked after the transcript, the model does not compete with the recogniser for the CPU. Fused,
            # the voice can lift unfinished words too, so it is asked at every pause.
            self._judged_at = self._last_voiced_end
            out.append(Judge(self._last_voiced_end))
        return out

    def _ends(self, silence: float) -> bool:
        c = self.config
        if silence >= c.hold_ms:
            return True
        if self._answer is not None and self._words is not None:
            # An answer to the agent's question: the question says what a whole turn is.
            if self._answer == ANSWERED:
                short = c.answer_ms if c.answer_ms is not None else c.short_ms if c.short_ms is not None else c.silence_ms
                return silence >= short
            if silence >= c.silence_ms:  # a yes or no alone: never the cap, never sooner than the words say
                return True
        if c.voice_weight is not None and c.judge_ms is not None and self._words is not None:
            return self._fused_ends(silence)
        if self._words is None or self._words == UNFINISHED:
            return False
        if self._words == FINISHED:
            short = c.silence_ms if c.short_ms is None else c.short_ms
            return silence >= (c.silence_ms if self._finished is False else short)
        if self._finished is False:
            return False
        return self._finished is True or silence >= c.silence_ms

    def _fused_ends(self, silence: float) -> bool:
        c = self.config
        if self._complete is None:  # no probability (rules): the words alone, as unfused
            opinion = self._words
        elif not self._voice_in:
            return False  # the voice is asked at judge_ms and answers in tens of ms: wait for it (up to the cap)
        else:
            opinion = words_opinion(self._hint or "", fused(self._complete, self._voice, c.voice_weight or 0.0), c)
        if opinion == FINISHED:
            return silence >= (c.silence_ms if c.short_ms is None else c.short_ms)
        return opinion == UNSURE and silence >= c.silence_ms

    def _maybe_barge(self, agent_speaking: bool) -> list[Signal]:
        if agent_speaking and not self._barged and self._run_voice and self._run_ms >= self.config.barge_in_ms:
            self._barged = True
            return [Barge(self._last_voiced_end)]
        return []

    def drop(self, end_ms: float) -> bool:
        """Forget the utterance if its speech ended at ``end_ms`` (none since): it is not a turn."""
        if not self.in_utterance or end_ms != self._last_voiced_end:
            return False
        self._reset()
        return True

    def flush(self) -> TurnEnd | None:
        """End the utterance in progress now (the connection dropped)."""
        if self._start_ms is None or self._voiced_ms < self.config.min_speech_ms:
            self._reset()
            return None
        end = TurnEnd(self._last_voiced_end)
        self._reset()
        return end
