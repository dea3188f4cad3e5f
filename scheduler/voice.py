"""A call's Script (bot/core/voice.py) as TwiML, for the Calls API's inline `Twiml` parameter.

<Say> with its voice and language, the words inside SSML <prosody rate> (slowly); <Play> of a clip
from our own /voice/ route; <Pause>. With a menu and a gather URL, everything is inside
<Gather numDigits="1"> (a key can be pressed at any moment), and the goodbye follows it: what is
heard when no key was pressed. Twilio takes at most 4,000 characters of inline TwiML
(tests/test_voice_script.py checks the longest court and port names in every language).
"""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.core.voice import Part, Pause, Play, Say, Script

MAX_TWIML = 4000  # characters: Twilio's limit on the Calls API's Twiml parameter
# The longest Kreyòl call plays 48 clips, each by its full URL: with HEARINGBOT_PUBLIC_URL at most this
# long, every call fits MAX_TWIML (tests/test_voice_script.py; doctor warns of a longer one).
MAX_PUBLIC_URL = 40
GATHER_TIMEOUT = 6  # seconds of silence after the menu before the goodbye


def twiml(script: Script, clips_base: str | None, gather_url: str | None) -> str:
    """The TwiML of a call: `clips_base` is where /voice/ is served ("https://bot.example.org/voice";
    needed when the script plays clips), `gather_url` where a pressed key is posted (None: no menu)."""
    response = VoiceResponse()
    if script.menu and gather_url:
        gather = response.gather(num_digits=1, action=gather_url, method="POST", timeout=GATHER_TIMEOUT)
        _add(gather, script.parts + script.menu, clips_base)
    else:
        _add(response, script.parts, clips_base)
    _add(response, script.goodbye, clips_base)
    xml = str(response)
    if len(xml) > MAX_TWIML:  # Twilio would refuse the call; say why here instead
        raise ValueError(f"the call's TwiML is {len(xml)} characters, over {MAX_TWIML}: shorten HEARINGBOT_PUBLIC_URL")
    return xml


def _add(verb: VoiceResponse | Gather, parts: tuple[Part, ...], clips_base: str | None) -> None:
    for part in parts:
        if isinstance(part, Say):
            say = verb.say(voice=part.voice, language=part.language)
            if part.rate:
                say.prosody(part.text, rate=part.rate)
            else:
                say.value = part.text
        elif isinstance(part, Play):
            if not clips_base:
                raise ValueError("this call plays recorded clips: give clips_base (HEARINGBOT_PUBLIC_URL + /voice)")
            verb.play(f"{clips_base.rstrip('/')}/{part.clip}")
        elif isinstance(part, Pause):
            verb.pause(length=part.seconds)
