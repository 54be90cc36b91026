"""Call control through ACS Call Automation: answer with media streaming, blind transfer, hang up.

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
    MediaStreamingAudioChannelType,
    MediaStreamingContentType,
    MediaStreamingOptions,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    StreamingTransportType,
)

from bridge.config import BridgeSettings

#: ACS only forwards custom SIP headers whose names start with this prefix.
CASE_ID_HEADER = "X-MS-Custom-CaseId"


class TargetError(ValueError):
    """A hand-over target the bridge cannot dial."""


def parse_target(target: str) -> CommunicationIdentifier:
    """``pstn:+E164`` / ``+E164`` -> phone; ``teams:<id>`` -> Teams user; ``acs:8:acs:...`` / ``8:acs:...`` -> ACS user.

    ``queue:`` and ``sip:`` targets need a contact-centre integration ACS transfer does not offer.
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


class CallControl(Protocol):
    async def answer(self, incoming_call_context: str, callback_url: str, media_url: str) -> str:
        """Answer with bidirectional media streaming to ``media_url``; returns the call connection id."""
        ...

    async def transfer(self, call_connection_id: str, target: str, case_id: str) -> None:
        """Blind transfer with the case id in custom SIP and VoIP headers; raises on refusal."""
        ...

    async def hang_up(self, call_connection_id: str) -> None: ...

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
        )
        return result.call_connection_id

    async def transfer(self, call_connection_id: str, target: str, case_id: str) -> None:
        identifier = parse_target(target)
        headers = {CASE_ID_HEADER: case_id}
        is_phone = isinstance(identifier, PhoneNumberIdentifier)
        await self._client.get_call_connection(call_connection_id).transfer_call_to_participant(
            identifier,
            operation_context=case_id,
            sip_headers=headers if is_phone else None,
            voip_headers=None if is_phone else headers,
        )

    async def hang_up(self, call_connection_id: str) -> None:
        await self._client.get_call_connection(call_connection_id).hang_up(is_for_everyone=True)

    async def close(self) -> None:
        await self._client.close()
