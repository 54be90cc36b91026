"""Call control through ACS Call Automation: answer with media streaming, transfers, hang up.

Blind transfer is ``transfer_call_to_participant``; the consultative transfer
(bridge/transfer.py) is built from ``hold``/``unhold``, ``add_participant``, ``play_media``
to the new participant only, ``remove_participant`` and ``hang_up(is_for_everyone=False)``.

``CallControl`` is the small interface the rest of the bridge uses; ``AcsCallControl`` is
the real one over the async ``CallAutomationClient`` (pass ``transport=`` to test the REST
bodies it sends). ``parse_target`` turns a hand-over target string into an ACS identifier.
"""

from __future__ import annotations

from typing import Any, Protocol

from azure.communication.callautomation import (
    AudioFormat,
    CommunicationIdentifier,
    CommunicationUserIdentifier,
    FileSource,
    MediaStreamingAudioChannelType,
    MediaStreamingContentType,
    MediaStreamingOptions,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    StreamingTransportType,
    TextSource,
)

from bridge.config import BridgeSettings

#: ACS only forwards custom SIP headers whose names start with this prefix.
CASE_ID_HEADER = "X-MS-Custom-CaseId"


class TargetError(ValueError):
    """A hand-over target the bridge cannot dial."""


def parse_target(target: str) -> CommunicationIdentifier:
    """``pstn:+E164`` / ``+E164`` -> phone; ``teams:<id>`` -> Teams user; ``acs:8:acs:...`` / ``8:acs:...`` -> ACS user.

    ``queue:`` targets are expanded to their members by the agent (agent/handoff/targets.py)
    before they reach the bridge; ``sip:`` needs a direct-routing integration ACS does not offer.
    """
    kind, _, value = target.partition(":") if not target.startswith(("+", "8:")) else ("", "", target)
    if kind == "pstn" or (not kind and value.startswith("+")):
        number = value
        if not (number.startswith("+") and number[1:].isdigit() and 7 <= len(number) <= 16):
            raise TargetError("phone targets must be E.164, like +14255550100")
        return PhoneNumberIdentifier(number)
    if kind == "teams" and value:
        return MicrosoftTeamsUserIdentifier(value.removeprefix("8:orgid:"))
    if (kind == "acs" and value.startswith("8:acs:")) or (not kind and value.startswith("8:acs:")):
        return CommunicationUserIdentifier(value)
    raise TargetError(f"cannot transfer to a {kind or 'bare'!s} target")


def participant_identifier(raw_id: str) -> CommunicationIdentifier:
    """An ACS raw id as ACS reports a participant (``4:+1425...``, ``8:acs:...``, ``8:orgid:...``)."""
    if raw_id.startswith("4:"):
        return PhoneNumberIdentifier(raw_id[2:], raw_id=raw_id)
    if raw_id.startswith("8:orgid:"):
        return MicrosoftTeamsUserIdentifier(raw_id.removeprefix("8:orgid:"))
    if raw_id.startswith("8:acs:"):
        return CommunicationUserIdentifier(raw_id)
    raise TargetError(f"cannot address participant {raw_id[:40]!r}")


def _case_headers(identifier: CommunicationIdentifier, case_id: str) -> dict[str, Any]:
    """The case id in a custom SIP header for phone targets, a VoIP header for the others."""
    headers = {CASE_ID_HEADER: case_id}
    if isinstance(identifier, PhoneNumberIdentifier):
        return {"sip_headers": headers}
    return {"voip_headers": headers}


class CallControl(Protocol):
    async def answer(self, incoming_call_context: str, callback_url: str, media_url: str) -> str:
        """Answer with bidirectional media streaming to ``media_url``; returns the call connection id."""
        ...

    async def transfer(self, call_connection_id: str, target: str, case_id: str) -> None:
        """Blind transfer with the case id in custom SIP and VoIP headers; raises on refusal."""
        ...

    async def hang_up(self, call_connection_id: str) -> None: ...

    # --- consultative transfer (bridge/transfer.py) ---
    async def hold(self, call_connection_id: str, participant: str) -> None:
        """Put ``participant`` (an ACS raw id) on hold with the hold prompt or music."""
        ...

    async def unhold(self, call_connection_id: str, participant: str) -> None: ...

    async def add_participant(self, call_connection_id: str, target: str, *, ring_s: float, context: str,
                              case_id: str) -> str | None:
        """Invite ``target``; returns the invitation id (to cancel it)."""
        ...

    async def cancel_add(self, call_connection_id: str, invitation_id: str, context: str) -> None: ...

    async def remove_participant(self, call_connection_id: str, target: str, context: str) -> None: ...

    async def play_text(self, call_connection_id: str, target: str | None, text: str, context: str) -> None:
        """Speak ``text`` to ``target`` only (the caller on hold does not hear it), or to everyone (None)."""
        ...

    async def leave(self, call_connection_id: str) -> None:
        """The agent leg hangs up; everyone else stays connected."""
        ...

    async def start_recording(self, call_connection_id: str, callback_url: str | None) -> str:
        """Start Call Automation recording of the whole call; returns the recording id."""
        ...

    async def close(self) -> None: ...


class AcsCallControl:
    def __init__(self, settings: BridgeSettings, **client_kwargs: Any) -> None:
        from azure.communication.callautomation.aio import CallAutomationClient

        if settings.acs_connection_string:
            self._client = CallAutomationClient.from_connection_string(
                settings.acs_connection_string, **client_kwargs)
        elif settings.acs_endpoint:
            from azure.identity.aio import DefaultAzureCredential

            self._client = CallAutomationClient(settings.acs_endpoint, DefaultAzureCredential(), **client_kwargs)
        else:
            raise ValueError("set SWITCHBOARD_BRIDGE_ACS_CONNECTION_STRING or SWITCHBOARD_BRIDGE_ACS_ENDPOINT")
        self._format = AudioFormat.PCM24_K_MONO if settings.sample_rate == 24000 else AudioFormat.PCM16_K_MONO
        self._settings = settings

    async def answer(self, incoming_call_context: str, callback_url: str, media_url: str) -> str:
        result = await self._client.answer_call(
            incoming_call_context,
            callback_url,
            media_streaming=MediaStreamingOptions(
                transport_url=media_url,
                transport_type=StreamingTransportType.WEBSOCKET,
                content_type=MediaStreamingContentType.AUDIO,
                audio_channel_type=MediaStreamingAudioChannelType.MIXED,
                start_media_streaming=True,
                enable_bidirectional=True,
                audio_format=self._format,
                enable_dtmf_tones=True,
            ),
            # ACS speaks TextSource prompts (hold prompt, briefing) through this Azure AI services resource.
            cognitive_services_endpoint=self._settings.cognitive_services_endpoint,
        )
        return result.call_connection_id

    async def transfer(self, call_connection_id: str, target: str, case_id: str, context: str | None = None) -> None:
        identifier = parse_target(target)
        await self._connection(call_connection_id).transfer_call_to_participant(
            identifier, operation_context=context or case_id, **_case_headers(identifier, case_id))

    def _connection(self, call_connection_id: str) -> Any:
        return self._client.get_call_connection(call_connection_id)

    def _speech(self, text: str) -> TextSource:
        return TextSource(text=text, voice_name=self._settings.tts_voice)

    async def hold(self, call_connection_id: str, participant: str) -> None:
        s = self._settings
        music = FileSource(url=s.hold_music_url) if s.hold_music_url else None
        await self._connection(call_connection_id).hold(
            participant_identifier(participant), play_source=music or self._speech(s.hold_prompt),
            operation_context="hold")

    async def unhold(self, call_connection_id: str, participant: str) -> None:
        await self._connection(call_connection_id).unhold(participant_identifier(participant),
                                                          operation_context="unhold")

    async def add_participant(self, call_connection_id: str, target: str, *, ring_s: float, context: str,
                              case_id: str) -> str | None:
        identifier = parse_target(target)
        caller_id = self._settings.caller_id
        result = await self._connection(call_connection_id).add_participant(
            identifier, invitation_timeout=int(ring_s), operation_context=context,
            # A PSTN invitation must show one of the resource's own numbers.
            source_caller_id_number=PhoneNumberIdentifier(caller_id) if caller_id else None,
            **_case_headers(identifier, case_id))
        return result.invitation_id

    async def cancel_add(self, call_connection_id: str, invitation_id: str, context: str) -> None:
        await self._connection(call_connection_id).cancel_add_participant_operation(
            invitation_id, operation_context=context)

    async def remove_participant(self, call_connection_id: str, target: str, context: str) -> None:
        await self._connection(call_connection_id).remove_participant(parse_target(target), operation_context=context)

    async def play_text(self, call_connection_id: str, target: str | None, text: str, context: str) -> None:
        await self._connection(call_connection_id).play_media(
            self._speech(text), play_to=[parse_target(target)] if target else "all", operation_context=context)

    async def leave(self, call_connection_id: str) -> None:
        await self._connection(call_connection_id).hang_up(is_for_everyone=False)

    async def start_recording(self, call_connection_id: str, callback_url: str | None) -> str:
        # The server call id locates the call; asked of ACS so any replica can start it.
        properties = await self._connection(call_connection_id).get_call_properties()
        result = await self._client.start_recording(
            server_call_id=properties.server_call_id, recording_state_callback_url=callback_url,
            recording_content_type="audio", recording_channel_type="mixed", recording_format_type="wav")
        return result.recording_id

    async def hang_up(self, call_connection_id: str) -> None:
        await self._client.get_call_connection(call_connection_id).hang_up(is_for_everyone=True)

    async def close(self) -> None:
        await self._client.close()
