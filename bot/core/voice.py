"""What a reminder call says, and in which voice (docs/voice.md).

A call reads the hearing twice, slowly, with a pause between, then offers a menu ("press 1 to hear
it again, 2 if you need help"). Spanish, English, Portuguese and French are spoken by a named neural
`<Say>` voice (data/voice/voices.json). No text-to-speech voice speaks Haitian Creole, so a Kreyòl
call is assembled from clips an interpreter recorded (data/voice/ht/manifest.json lists every clip a
call can need: numbers, hours, weekdays, months, each court, port and port city, the sentences). If
any clip a call needs is missing, the whole call is spoken in Spanish: never half a sentence in one
language and half in another.

The words follow the text reminders and the clocks rule of bot/core/hearing.py: the time to be at
the port on the port city's clock, named; the court's clock too when it differs that day.

Pure: files are read (the voices file, the manifests, whether a clip's file exists), nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.dates import LANGS
from bot.core.hearing import Hearing, describe, person_zone, port_sentence, report_time
from bot.core.i18n import DEFAULT_LANG, translator
from bot.core.places import Places

VOICE_DIR = Path(__file__).resolve().parents[2] / "data" / "voice"
WHATS = ("reminder", "wakeup", "callback")  # the day before, the hearing day, the person called us
NOTICES = ("calling_back", "not_registered", "opted_out", "volunteer", "goodbye", "too_soon", "sorry")
PAUSE_SECONDS = 2  # between the two readings of the hearing
RATE = re.compile(r"[1-9]\d{1,2}%")  # an SSML prosody rate: "85%" (Polly takes 20% to 200%)
LANG_CODE = re.compile(r"[a-z]{2,3}")  # ISO 639-1 or -3: ht, mam, quc
CLIP_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:mp3|wav)")  # no folders, nothing to escape in a URL


# --- what is said ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """Text spoken by a text-to-speech voice."""

    text: str
    voice: str  # Twilio's name for it: "Polly.Mia-Neural"
    language: str  # its language code: "es-MX"
    rate: str | None = None  # SSML prosody rate ("85%"); None: the voice's own pace


@dataclass(frozen=True)
class Play:
    """A recorded clip."""

    clip: str  # its path under data/voice (and under /voice/ on the web): "ht/number_9.mp3"
    words: str = ""  # what it says (the manifest's `say`), for the log


@dataclass(frozen=True)
class Pause:
    seconds: int


Part = Say | Play | Pause


@dataclass(frozen=True)
class Script:
    """A call: its language, what is said, the menu (empty: none), and the clips that were missing
    (then `lang` is "es" and everything is said in Spanish)."""

    lang: str  # the language actually spoken
    parts: tuple[Part, ...]
    menu: tuple[Part, ...] = ()
    missing: tuple[str, ...] = ()
    goodbye: tuple[Part, ...] = ()  # heard after the menu when no key is pressed

    @property
    def text(self) -> str:
        """The words of the call and its menu as plain text, for the log of what was said."""
        return words(self.parts + self.menu)


def words(parts: tuple[Part, ...]) -> str:
    """What some parts say, as one line of text (pauses are silent)."""
    said = [p.text if isinstance(p, Say) else p.words for p in parts if not isinstance(p, Pause)]
    return " ".join(w for w in said if w)


# --- voices and clips -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    name: str  # "Polly.Mia-Neural"
    language: str  # "es-MX"


@dataclass(frozen=True)
class Clip:
    key: str  # "number.9"
    file: str  # "number_9.mp3", in data/voice/<lang>/
    say: str  # what the interpreter says, in the clip's language: "nèf"


@dataclass(frozen=True, eq=False)
class Voices:
    """data/voice/voices.json and the manifests of the clip languages."""

    say: Mapping[str, Voice]  # language -> its <Say> voice
    rate: str  # how slowly calls are spoken: an SSML prosody rate, "85%"
    clips: Mapping[str, Mapping[str, Clip]]  # clip language -> key -> clip
    root: Path

    def available(self, lang: str, key: str) -> Clip | None:
        """A clip that can be played: listed in the language's manifest, and its file is there."""
        clip = self.clips.get(lang, {}).get(key)
        return clip if clip is not None and (self.root / lang / clip.file).is_file() else None


@cache
def load_voices(root: Path = VOICE_DIR) -> Voices:
    """Read and check voices.json and every clip language's manifest, once per folder; a broken
    file is a ValueError that names what is wrong (the app refuses to start)."""
    root = Path(root)
    where = root / "voices.json"
    raw = json.loads(where.read_text(encoding="utf-8"))
    say = {}
    for lang, voice in raw.get("voices", {}).items():
        if lang not in LANGS:
            raise ValueError(f"{where}: unknown language {lang!r} in voices (known: {', '.join(LANGS)})")
        if not isinstance(voice, dict) or not voice.get("voice") or not voice.get("language"):
            raise ValueError(f"{where}: the {lang} voice needs a `voice` (Polly.Mia-Neural) and a `language` (es-MX)")
        say[lang] = Voice(voice["voice"], voice["language"])
    if DEFAULT_LANG not in say:
        raise ValueError(f"{where}: no voice for {DEFAULT_LANG}, the language every call falls back to")
    rate = raw.get("rate", "85%")
    if not isinstance(rate, str) or not RATE.fullmatch(rate):
        raise ValueError(f"{where}: rate {rate!r} is not a percentage such as 85%")
    clips = {}
    for lang in raw.get("clips", []):
        if not isinstance(lang, str) or not LANG_CODE.fullmatch(lang):
            raise ValueError(f"{where}: clip language {lang!r} is not a language code such as ht or mam")
        clips[lang] = read_manifest(root / lang / "manifest.json", lang)
    return Voices(say, rate, clips, root)


def read_manifest(path: Path, lang: str) -> dict[str, Clip]:
    """A clip language's manifest: key -> clip, each checked (a `file` with a plain name, a `say`)."""
    if not path.is_file():
        raise ValueError(f"clip language {lang!r} has no manifest: {path} is missing")
    raw = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for key, entry in raw.get("clips", {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not entry.get("say"):
            raise ValueError(f"{path}: clip {key!r} needs a `file` and a `say`")
        if not CLIP_FILE.fullmatch(entry["file"]):
            raise ValueError(f"{path}: clip {key!r}: {entry['file']!r} is not a plain .mp3 or .wav file name")
        found[key] = Clip(key, entry["file"], entry["say"])
    return found


# --- the clips a call can need ----------------------------------------------------------------------

# Sentences and pieces of sentences, in the order a call says them (docs/voice.md#the-clips).
PHRASES = (
    "intro",  # Hello. This is your hearing reminder. We are not the court.
    "intro_callback",  # Hello. This is the hearing reminder service. We are not the court.
    "hearing.reminder",  # Your hearing is tomorrow:
    "hearing.wakeup",  # Your hearing is today:
    "hearing.callback",  # Your hearing:
    "at",  # at (before the hearing's time)
    "court_clock",  # the court's time
    "be_at",  # Be at (the port)
    "port_at",  # at (the time given for the port)
    "port_about",  # at about (the court's usual lead)
    "that_is",  # that is (the same moment on the court's clock)
    "morning",
    "afternoon",
    "evening",
    "once_more",  # Once more:
    "menu",  # Press 1 to hear it again, or 2 if you need help.
    "no_hearing",  # We have no hearing saved for this number; send it by text message or WhatsApp.
    "goodbye",
    *(f"notice.{key}" for key in NOTICES if key != "goodbye"),
)


def needed_clips(places: Places) -> tuple[str, ...]:
    """Every clip key a call in a clip language can need, for these places: the sentences; weekdays
    1-7 (Monday 1); "day.1" (the first of a month has its own word: premye); numbers 1-59 (the other
    days, and minutes: 8:30 is "uitè trant"; minute 0 is not said); hours 1-12; months 1-12; each
    court (said with its word for court: "tribinal El Paso"); each port; each port city's clock."""
    keys = [*PHRASES, *(f"weekday.{d}" for d in range(1, 8)), "day.1"]
    keys += [f"number.{n}" for n in range(1, 60)]
    keys += [f"hour.{h}" for h in range(1, 13)] + [f"month.{m}" for m in range(1, 13)]
    keys += [f"court.{c.key}" for c in places.courts] + [f"port.{p.key}" for p in places.ports]
    keys += [f"clock.{city}" for city in dict.fromkeys(p.city for p in places.ports)]
    return tuple(keys)


def missing_clips(voices: Voices, places: Places) -> dict[str, list[str]]:
    """Per clip language, the keys a call can need that cannot be played yet (empty: all there)."""
    needed = needed_clips(places)
    return {lang: [k for k in needed if voices.available(lang, k) is None] for lang in voices.clips}


# --- calls ----------------------------------------------------------------------------------------


def hearing_script(hearing: Hearing | None, lang: str, places: Places, voices: Voices, what: str) -> Script:
    """A call about a hearing: `what` is "reminder" (the day before), "wakeup" (the hearing day) or
    "callback" (the person called us). The hearing is read twice, slowly, then the menu; with no
    hearing saved, how to send it. In a clip language whose clips are not all there, Spanish."""
    if what not in WHATS:
        raise ValueError(f"unknown call {what!r} (one of {', '.join(WHATS)})")
    if lang in voices.clips:
        keys = _hearing_keys(hearing, places, what)
        script = _clip_script(keys, lang, voices, menu=True)
        if script is not None:
            return script
        return _say_hearing(hearing, DEFAULT_LANG, places, voices, what, missing=_missing(keys, lang, voices))
    return _say_hearing(hearing, lang if lang in voices.say else DEFAULT_LANG, places, voices, what)


def notice(key: str, lang: str, voices: Voices) -> Script:
    """A short call that says one thing and ends: calling_back, not_registered, opted_out, volunteer,
    goodbye, too_soon, sorry (something failed on our side); in a clip language, its one clip (else Spanish)."""
    if key not in NOTICES:
        raise ValueError(f"unknown notice {key!r} (one of {', '.join(NOTICES)})")
    clip_key = "goodbye" if key == "goodbye" else f"notice.{key}"
    missing: tuple[str, ...] = ()
    if lang in voices.clips:
        script = _clip_script([clip_key], lang, voices, menu=False)
        if script is not None:
            return script
        missing, lang = (clip_key,), DEFAULT_LANG
    elif lang not in voices.say:
        lang = DEFAULT_LANG
    _ = translator(lang)
    bye = _("Goodbye.")
    texts = {  # one msgid a sentence: each also fits an SMS, should a catalog check size it as one
        "calling_back": [_("We will call you back now, at your registered number."), bye],
        "not_registered": [
            _("This number is not registered for hearing reminders."),
            _("To register, send a text message or WhatsApp to this number."),
            bye,
        ],
        "opted_out": [
            _("You asked us to stop sending you messages."),
            _("To come back, send START by text message to this number."),
            bye,
        ],
        "volunteer": [_("A volunteer will write to you by message soon."), bye],
        "goodbye": [bye],
        "too_soon": [_("We called you a few minutes ago. Please try again later."), bye],
        "sorry": [_("Sorry, something went wrong on our side. Please try again in a few minutes."), bye],
    }
    return Script(lang, (_say(" ".join(texts[key]), lang, voices),), missing=missing)


def _say(text: str, lang: str, voices: Voices) -> Say:
    voice = voices.say[lang]
    return Say(spoken(text, lang), voice.name, voice.language, voices.rate)


def _say_hearing(
    hearing: Hearing | None, lang: str, places: Places, voices: Voices, what: str, missing: tuple[str, ...] = ()
) -> Script:
    _ = translator(lang)
    if hearing is None:
        intro = _("Hello. This is the hearing reminder service. We are not the court.")
        body = " ".join(
            [
                _("We have no hearing saved for this number."),
                _("To save it, send us the date on your paper by text message or WhatsApp, to this number."),
            ]
        )
    else:
        if what == "callback":
            intro = _("Hello. This is the hearing reminder service. We are not the court.")
            lead = _("Your hearing: {hearing}.")
        else:
            intro = _("Hello. This is your hearing reminder. We are not the court.")
            tomorrow, today = _("Your hearing is tomorrow: {hearing}."), _("Your hearing is today: {hearing}.")
            lead = tomorrow if what == "reminder" else today
        body = lead.format(hearing=describe(hearing, lang, places))
        if port := port_sentence(hearing, lang, places):
            body = f"{body} {port}"
    say = [_say(t, lang, voices) for t in (intro, body, _("Once more:"), body)]
    return Script(
        lang,
        (say[0], say[1], Pause(PAUSE_SECONDS), say[2], say[3]),
        menu=(_say(_("Press 1 to hear it again, or 2 if you need help."), lang, voices),),
        missing=missing,
        goodbye=(_say(_("Goodbye."), lang, voices),),
    )


# Spoken Spanish names the part of the day; "a.m." read aloud is two letters.
_ES_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2}) ([ap])\.m\.")
_PT_CLOCK = re.compile(r"\b(\d{1,2})h(\d{2})\b")


_ES_PARTS = ((6, "de la madrugada"), (12, "de la mañana"), (20, "de la tarde"), (24, "de la noche"))  # until


def _es_clock(match: re.Match[str]) -> str:
    """'4:30 a.m.' -> '4:30 de la madrugada', '12:00 p.m.' -> '12 del mediodía'."""
    hour, minute, pm = int(match[1]), match[2], match[3] == "p"
    h24 = hour % 12 + (12 if pm else 0)
    part = next(name for until, name in _ES_PARTS if h24 < until)
    if h24 == 12 and minute == "00":
        part = "del mediodía"
    return f"{hour} {part}" if minute == "00" else f"{hour}:{minute} {part}"


def spoken(text: str, lang: str) -> str:
    """A written text made ready for a voice: brackets and parentheses become pauses (commas), and
    times are written the way the voice reads them well ('4:30 de la madrugada'; '8:30', not '8h30',
    in Portuguese), abbreviations in full."""
    text = re.sub(r"\s*[\[(]\s*", ", ", text)
    text = re.sub(r"\s*[\])]\s*(?=[.,;:]|$)", "", text)
    text = re.sub(r"\s*[\])]\s*", ", ", text)
    if lang in ("es", "pt"):
        text = text.replace("aprox.", "aproximadamente")  # the catalogs' SMS abbreviation
    if lang == "es":
        text = _ES_CLOCK.sub(_es_clock, text)
    elif lang == "pt":
        text = _PT_CLOCK.sub(r"\1:\2", text)
    return re.sub(r"\s{2,}", " ", text).strip()


# --- calls from clips -----------------------------------------------------------------------------


def _same_clock(moment: datetime, a: ZoneInfo, b: ZoneInfo) -> bool:
    return moment.astimezone(a).utcoffset() == moment.astimezone(b).utcoffset()


def _time_keys(local: datetime) -> list[str]:
    """'8:30 in the morning' as clips: hour.8, number.30, morning (no minute clip on the hour)."""
    keys = [f"hour.{local.hour % 12 or 12}"]
    if local.minute:
        keys.append(f"number.{local.minute}")
    keys.append("morning" if local.hour < 12 else "afternoon" if local.hour < 18 else "evening")
    return keys


def _hearing_keys(hearing: Hearing | None, places: Places, what: str) -> list[str]:
    """The clips that read a hearing once, the clocks rule kept: 'Odyans ou se demen: lendi 9 mas,
    tribinal El Paso, a uitè trant nan maten. Ou dwe rive nan Puente Paso del Norte anviwon katrè
    trant nan maten, lè Ciudad Juárez.' The court's clock is named ('lè tribinal la') where it differs
    from the person's (hearing time) or the port city's (the port time, said again on it)."""
    if hearing is None:
        return ["no_hearing"]
    court = places.known_court(hearing.court)
    local = hearing.at.astimezone(court.zone)
    day = "day.1" if local.day == 1 else f"number.{local.day}"
    keys = [f"hearing.{what}", f"weekday.{local.isoweekday()}", day, f"month.{local.month}"]
    keys += [f"court.{court.key}", "at", *_time_keys(local)]
    mine = person_zone(hearing, places)
    if mine is None or not _same_clock(hearing.at, mine, court.zone):
        keys.append("court_clock")
    port = places.port_for(hearing.city, hearing.court)
    if port is not None:
        at, zone = report_time(hearing, places), places.zone_of_port(port)
        keys += ["be_at", f"port.{port.key}", "port_at" if hearing.report_at else "port_about"]
        keys += [*_time_keys(at.astimezone(zone)), f"clock.{port.city}"]
        if not _same_clock(at, zone, court.zone):
            keys += ["that_is", *_time_keys(at.astimezone(court.zone)), "court_clock"]
    return keys


def _missing(keys: list[str], lang: str, voices: Voices) -> tuple[str, ...]:
    return tuple(k for k in dict.fromkeys(keys) if voices.available(lang, k) is None)


def _clip_script(keys: list[str], lang: str, voices: Voices, menu: bool) -> Script | None:
    """A call in a clip language: `keys` read twice (with menu: after the intro, then the menu), or
    once (a notice); None when any clip it needs is missing."""
    intro = "intro_callback" if keys[0] in ("hearing.callback", "no_hearing") else "intro"
    needed = [*keys, intro, "once_more", "menu", "goodbye"] if menu else keys
    if _missing(needed, lang, voices):
        return None

    def play(key: str) -> Play:
        clip = voices.available(lang, key)
        assert clip is not None, "checked above"
        return Play(f"{lang}/{clip.file}", clip.say)

    body = tuple(play(k) for k in keys)
    if not menu:
        return Script(lang, body)
    return Script(
        lang,
        (play(intro), *body, Pause(PAUSE_SECONDS), play("once_more"), *body),
        menu=(play("menu"),),
        goodbye=(play("goodbye"),),
    )


# --- who calls ------------------------------------------------------------------------------------

# An unknown caller is greeted in Spanish (97% of the people returned under MPP spoke it, and most
# call from a Mexican or US SIM), except from a country whose people here speak another of our
# languages. Only codes where that language is the one nearly everyone there speaks: not Canada or
# Belgium, nor +1 (the US and Canada share it with Spanish speakers' SIMs).
CALLER_LANGS = {
    "+55": "pt",  # Brazil
    "+244": "pt",  # Angola
    "+509": "ht",  # Haiti
    "+33": "fr",  # France
    "+221": "fr",  # Senegal
    "+223": "fr",  # Mali
    "+224": "fr",  # Guinea
    "+225": "fr",  # Côte d'Ivoire
    "+226": "fr",  # Burkina Faso
    "+227": "fr",  # Niger
    "+228": "fr",  # Togo
    "+229": "fr",  # Benin
    "+235": "fr",  # Chad
    "+237": "fr",  # Cameroon (mostly French-speaking)
    "+241": "fr",  # Gabon
    "+242": "fr",  # Republic of the Congo
    "+243": "fr",  # DR Congo
}


def caller_language(phone_e164: str) -> str:
    """The language to greet an unknown caller in, from the country code of their number: Spanish
    unless the code is one of CALLER_LANGS (country codes are prefix-free: one can match at most)."""
    return next((lang for code, lang in CALLER_LANGS.items() if phone_e164.startswith(code)), DEFAULT_LANG)


def voice_dir(config: Mapping) -> Path:
    """Where voices.json and the clip languages' folders are: data/voice, or the VOICE_DIR a test gives."""
    return Path(config.get("VOICE_DIR") or VOICE_DIR)


def voices_of(config: Mapping) -> Voices:
    """The voices and recorded clips an app's calls are said with (cached per folder)."""
    return load_voices(voice_dir(config))
