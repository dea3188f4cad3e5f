"""Reminder calls: what they say and in which voice (bot/core/voice.py), their TwiML (scheduler/voice.py),
the clips route, `flask voice check|missing` and doctor's line.

Kreyòl calls are played from clips: here a test copy of the shipped voices file and Kreyòl manifest,
with a tiny generated WAV for every clip, in tmp_path. The words said in es, en, pt and fr are checked
by their values (dates, times, names), so they hold whether or not a catalog has the new sentences yet.
"""

import json
import shutil
import wave
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import places as places_module
from bot.core import voice
from bot.core.hearing import Hearing
from scheduler.voice import MAX_PUBLIC_URL, MAX_TWIML, twiml
from tests.helpers import ROOT, make_local_app

PLACES = places_module.load()
VOICES = voice.load_voices()
BASE = "https://recordatorios.example.org"  # a realistic public URL, longer than the tests' own
CLIPS = f"{BASE}/voice"
GATHER = f"{BASE}/twilio/voice/gather"
# Monday 9 March 2026 (the day after the US went to summer time), 8:30 at El Paso, from Ciudad Juárez.
JUAREZ = Hearing(
    datetime(2026, 3, 9, 8, 30, tzinfo=ZoneInfo("America/Denver")).astimezone(UTC), "el_paso", "ciudad_juarez"
)
# Tuesday 14 July 2026, 8:30 at El Paso, from Nogales (Sonora keeps no summer time: an hour behind).
NOGALES = Hearing(datetime(2026, 7, 14, 8, 30, tzinfo=ZoneInfo("America/Denver")).astimezone(UTC), "el_paso", "nogales")
SAY_VOICES = {
    "es": ("Polly.Mia-Neural", "es-MX"),
    "en": ("Polly.Joanna-Neural", "en-US"),
    "pt": ("Polly.Camila-Neural", "pt-BR"),
    "fr": ("Polly.Lea-Neural", "fr-FR"),
}
DATES = {"es": "9 de marzo de 2026", "en": "March 9, 2026", "pt": "9 de março de 2026", "fr": "9 mars 2026"}
TIMES = {  # the hearing's time and the time to be at the port, as each voice is given them
    "es": ("8:30 de la mañana", "4:30 de la madrugada"),
    "en": ("8:30 AM", "4:30 AM"),
    "pt": ("8:30", "4:30"),
    "fr": ("8h30", "4h30"),
}


def tone(path: Path, seconds: float = 0.3, rate: int = 8000, channels: int = 1) -> None:
    """A tiny silent PCM WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * channels * int(seconds * rate))


@pytest.fixture
def voice_dir(tmp_path):
    """data/voice as shipped, with every Kreyòl clip recorded (as WAV files)."""
    folder = tmp_path / "voice"
    (folder / "ht").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "voice" / "voices.json", folder / "voices.json")
    manifest = json.loads((ROOT / "data" / "voice" / "ht" / "manifest.json").read_text())
    for clip in manifest["clips"].values():
        clip["file"] = clip["file"].replace(".mp3", ".wav")
        tone(folder / "ht" / clip["file"])
    (folder / "ht" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return folder


def parse(xml: str) -> ET.Element:
    assert len(xml) < MAX_TWIML, len(xml)
    return ET.fromstring(xml)


def said(element: ET.Element) -> str:
    return " ".join("".join(say.itertext()) for say in element.iter("Say"))


def plays(element: ET.Element) -> list[str]:
    return [play.text.removeprefix(f"{CLIPS}/ht/").removesuffix(".wav") for play in element.iter("Play")]


# --- languages a voice speaks -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en", "pt", "fr"])
def test_a_reminder_call_reads_the_hearing_twice_slowly_in_the_persons_voice(lang):
    script = voice.hearing_script(JUAREZ, lang, PLACES, VOICES, "reminder")
    assert script.lang == lang and script.missing == ()
    root = parse(twiml(script, CLIPS, GATHER))
    gather = root.find("Gather")
    assert gather.attrib == {"numDigits": "1", "action": GATHER, "method": "POST", "timeout": "6"}
    for say in root.iter("Say"):
        assert (say.get("voice"), say.get("language")) == SAY_VOICES[lang]
        assert say.find("prosody").get("rate") == "85%"
    inside = said(gather)
    hearing_at, port_at = TIMES[lang]
    assert inside.count(DATES[lang]) == 2 and inside.count(hearing_at) == 2 and inside.count(port_at) == 2
    assert inside.count("Puente Paso del Norte") == 2 and inside.count("Ciudad Juárez") == 2  # the port's clock
    assert inside.count("El Paso") == 2  # the court, twice; its clock is the same as Juárez's: never named
    assert gather.find("Pause").get("length") == "2"
    assert [child.tag for child in root] == ["Gather", "Say"]  # the goodbye, when no key is pressed
    assert "a.m." not in inside and "[" not in inside and "(" not in inside and "aprox." not in inside


def test_the_words_are_logged_as_plain_text():
    script = voice.hearing_script(JUAREZ, "en", PLACES, VOICES, "reminder")
    assert script.text.startswith(
        "Hello. This is your hearing reminder. We are not the court. Your hearing is tomorrow"
    )
    assert script.text.count("Monday, March 9, 2026, 8:30 AM, El Paso court.") == 2
    assert script.text.endswith("Press 1 to hear it again, or 2 if you need help.")


def test_nogales_in_summer_says_both_clocks():
    script = voice.hearing_script(NOGALES, "en", PLACES, VOICES, "wakeup")
    text = script.text
    assert "Your hearing is today: Tuesday, July 14, 2026, 8:30 AM, El Paso time, El Paso court." in text
    assert "Be at Garita DeConcini at about 3:30 AM, Nogales time, 4:30 AM El Paso time." in text
    spanish = voice.hearing_script(NOGALES, "es", PLACES, VOICES, "reminder").text
    assert "3:30 de la madrugada, hora de Nogales, 4:30 de la madrugada hora de El Paso" in spanish


def test_without_a_gather_url_there_is_no_menu():
    root = parse(twiml(voice.hearing_script(JUAREZ, "es", PLACES, VOICES, "callback"), None, None))
    assert root.find("Gather") is None and "Press 1" not in said(root)


def test_a_callback_with_no_hearing_says_how_to_send_it():
    script = voice.hearing_script(None, "en", PLACES, VOICES, "callback")
    assert "We have no hearing saved for this number." in script.text and "WhatsApp" in script.text
    assert script.menu  # 2 still reaches a volunteer


@pytest.mark.parametrize("key", voice.NOTICES)
def test_each_notice_is_one_short_say(key):
    script = voice.notice(key, "en", VOICES)
    assert len(script.parts) == 1 and script.menu == () and script.text.endswith("Goodbye.")
    assert parse(twiml(script, CLIPS, GATHER)).find("Gather") is None


def test_a_language_with_no_voice_and_no_clips_is_spoken_in_spanish():
    assert voice.hearing_script(JUAREZ, "mam", PLACES, VOICES, "reminder").lang == "es"
    assert voice.notice("goodbye", "mam", VOICES).lang == "es"


def test_unknown_calls_and_notices_are_refused():
    with pytest.raises(ValueError, match="unknown call"):
        voice.hearing_script(JUAREZ, "es", PLACES, VOICES, "party")
    with pytest.raises(ValueError, match="unknown notice"):
        voice.notice("hello", "es", VOICES)


# --- Kreyòl, from clips ---------------------------------------------------------------------------------


def test_a_kreyol_call_plays_each_clip_in_order(voice_dir):
    voices = voice.load_voices(voice_dir)
    script = voice.hearing_script(JUAREZ, "ht", PLACES, voices, "reminder")
    assert script.lang == "ht" and script.missing == ()
    root = parse(twiml(script, CLIPS, GATHER))
    body = (
        "hearing_reminder weekday_1 number_9 month_3 court_el_paso at hour_8 number_30 morning be_at "
        "port_paso_del_norte port_about hour_4 number_30 morning clock_ciudad_juarez"
    ).split()
    assert plays(root.find("Gather")) == ["intro", *body, "once_more", *body, "menu"]
    assert plays(root) == ["intro", *body, "once_more", *body, "menu", "goodbye"]
    assert root.find("Gather/Pause").get("length") == "2"
    assert script.text.startswith(
        "Bonjou. Sa a se rapèl odyans ou. Nou pa tribinal la. Odyans ou se demen: lendi nèf mas"
    )


def test_a_kreyol_call_from_nogales_in_summer_names_both_clocks(voice_dir):
    script = voice.hearing_script(NOGALES, "ht", PLACES, voice.load_voices(voice_dir), "wakeup")
    keys = [p.clip.removeprefix("ht/").removesuffix(".wav") for p in script.parts if isinstance(p, voice.Play)]
    expected = (
        "hearing_wakeup weekday_2 number_14 month_7 court_el_paso at hour_8 number_30 morning "
        "court_clock be_at port_deconcini port_about hour_3 number_30 morning clock_nogales that_is "
        "hour_4 number_30 morning court_clock"
    )
    assert keys[1 : keys.index("once_more")] == expected.split()


def test_the_first_of_the_month_on_the_hour_with_the_persons_own_port_time(voice_dir):
    at = datetime(2026, 10, 1, 13, 0, tzinfo=ZoneInfo("America/Chicago"))
    hearing = Hearing(at.astimezone(UTC), "brownsville", "matamoros", (at - timedelta(hours=5)).astimezone(UTC))
    script = voice.hearing_script(hearing, "ht", PLACES, voice.load_voices(voice_dir), "callback")
    words = script.text
    assert "Odyans ou: jedi premye oktòb tribinal Brownsville a inè nan apremidi" in words
    assert "Ou dwe rive nan Puente Nuevo pou uitè nan maten lè Matamoros" in words
    assert script.parts[0].clip == "ht/intro_callback.wav"


def test_one_missing_clip_and_the_whole_kreyol_call_is_spanish(voice_dir):
    (voice_dir / "ht" / "number_9.wav").unlink()
    voices = voice.load_voices(voice_dir)
    script = voice.hearing_script(JUAREZ, "ht", PLACES, voices, "reminder")
    assert script.lang == "es" and script.missing == ("number.9",)
    root = parse(twiml(script, CLIPS, GATHER))
    assert not list(root.iter("Play")) and {s.get("voice") for s in root.iter("Say")} == {"Polly.Mia-Neural"}
    assert said(root).count(DATES["es"]) == 2
    assert voice.missing_clips(voices, PLACES) == {"ht": ["number.9"]}
    assert voice.hearing_script(NOGALES, "ht", PLACES, voices, "reminder").lang == "ht"  # the 14th: no 9 needed


def test_kreyol_notices_are_clips_until_one_is_missing(voice_dir):
    voices = voice.load_voices(voice_dir)
    script = voice.notice("volunteer", "ht", voices)
    assert [p.clip for p in script.parts] == ["ht/notice_volunteer.wav"] and script.lang == "ht"
    assert "volontè" in script.text
    (voice_dir / "ht" / "notice_too_soon.wav").unlink()
    fallback = voice.notice("too_soon", "ht", voices)
    assert fallback.lang == "es" and fallback.missing == ("notice.too_soon",)


def test_the_shipped_manifest_lists_every_clip_a_call_can_need_and_no_audio():
    manifest = voice.read_manifest(ROOT / "data" / "voice" / "ht" / "manifest.json", "ht")
    assert set(voice.needed_clips(PLACES)) == set(manifest)
    assert [manifest[f"weekday.{d}"].say for d in range(1, 8)][:3] == ["lendi", "madi", "mèkredi"]
    assert manifest["month.8"].say == "out" and manifest["court.el_paso"].say == "tribinal El Paso"
    assert len({c.file for c in manifest.values()}) == len(manifest)
    assert not [p for p in (ROOT / "data" / "voice").rglob("*") if p.suffix in (".mp3", ".wav")]
    assert voice.missing_clips(VOICES, PLACES)["ht"] == list(voice.needed_clips(PLACES))


# --- TwiML's size -----------------------------------------------------------------------------------------


def test_every_call_fits_twilios_4000_characters(voice_dir):
    """Every court with each city it serves (and none), in summer (Nogales and Arizona an hour off) with
    the port time computed and given, each kind of call, in every language, Kreyòl fully recorded; the
    public URL as long as doctor lets pass."""
    voices = voice.load_voices(voice_dir)
    base = "https://" + "hearings-reminders-".ljust(MAX_PUBLIC_URL - len("https://.org"), "x") + ".org"
    assert len(base) == MAX_PUBLIC_URL
    longest = {}
    for court in PLACES.courts:
        cities = [None, *dict.fromkeys(PLACES.port(p).city for p in court.ports)]
        for city in cities:
            local = datetime(2026, 9, 30, 12, 59, tzinfo=court.zone)  # Wednesday, September: long names
            for report in (None, (local - timedelta(hours=4, minutes=1)).astimezone(UTC)):
                hearing = Hearing(local.astimezone(UTC), court.key, city, report)
                for lang in ("es", "en", "pt", "fr", "ht"):
                    for what in voice.WHATS:
                        script = voice.hearing_script(hearing, lang, PLACES, voices, what)
                        xml = twiml(script, f"{base}/voice", f"{base}/twilio/voice/gather")
                        longest[lang] = max(longest.get(lang, 0), len(xml))
    assert max(longest.values()) < MAX_TWIML, longest
    assert longest["ht"] > longest["es"]  # (the clips' URLs make Kreyòl the longest)


def test_playing_clips_needs_their_base_url_and_a_short_one(voice_dir):
    voices = voice.load_voices(voice_dir)
    with pytest.raises(ValueError, match="clips_base"):
        twiml(voice.notice("goodbye", "ht", voices), None, None)
    script = voice.hearing_script(NOGALES, "ht", PLACES, voices, "reminder")
    with pytest.raises(ValueError, match="shorten HEARINGBOT_PUBLIC_URL"):
        twiml(script, "https://" + "x" * 80 + "/voice", GATHER)


# --- the voices file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,words",
    [
        (
            {
                "voices": {
                    "es": {"voice": "Polly.Mia-Neural", "language": "es-MX"},
                    "de": {"voice": "x", "language": "y"},
                }
            },
            "unknown language 'de'",
        ),
        ({"voices": {"en": {"voice": "Polly.Joanna-Neural", "language": "en-US"}}}, "no voice for es"),
        ({"clips": ["ht", "mam"]}, "clip language 'mam' has no manifest"),
        ({"rate": "slow"}, "rate 'slow' is not a percentage"),
        ({"clips": ["../ht"]}, "is not a language code"),
    ],
)
def test_a_broken_voices_file_is_refused(voice_dir, change, words):
    data = json.loads((voice_dir / "voices.json").read_text()) | change
    (voice_dir / "voices.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=words):
        voice.load_voices(voice_dir)


def test_a_manifest_naming_a_path_is_refused(voice_dir):
    path = voice_dir / "ht" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["clips"]["at"]["file"] = "../voices.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="not a plain .mp3 or .wav file name"):
        voice.load_voices(voice_dir)


def test_an_app_with_a_broken_voices_file_does_not_start(voice_dir, tmp_path):
    (voice_dir / "voices.json").write_text(json.dumps({"voices": {}}))
    with pytest.raises(ValueError, match="no voice for es"):
        make_local_app(tmp_path, VOICE_DIR=str(voice_dir))


@pytest.mark.parametrize(
    "phone,lang",
    [
        ("+5215512345678", "es"),
        ("+12025550123", "es"),
        ("+5511987654321", "pt"),
        ("+50937123456", "ht"),
        ("+50212345678", "es"),
        ("+33612345678", "fr"),
        ("+243812345678", "fr"),
        ("+32470123456", "es"),
    ],
)
def test_an_unknown_caller_is_greeted_in_spanish_unless_their_country_speaks_another(phone, lang):
    assert voice.caller_language(phone) == lang


# --- the clips route, the commands, doctor ------------------------------------------------------------------


@pytest.fixture
def clip_app(voice_dir, tmp_path):
    return make_local_app(tmp_path, VOICE_DIR=str(voice_dir))


def test_the_clip_route_serves_listed_files_only(clip_app, voice_dir):
    (voice_dir / "ht" / "secret.wav").write_bytes(b"RIFF")
    client = clip_app.test_client()
    response = client.get("/voice/ht/number_9.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data == (voice_dir / "ht" / "number_9.wav").read_bytes()
    assert "max-age=604800" in response.headers["Cache-Control"]
    response.close()  # the file it streamed
    for path in (
        "/voice/ht/secret.wav",  # there, but not in the manifest
        "/voice/ht/manifest.json",
        "/voice/ht/..%2Fvoices.json",
        "/voice/ht/../voices.json",
        "/voice/..%2Fvoice/voices.json",
        "/voice/xx/number_9.wav",
        "/voice/ht/number_99.wav",
    ):
        assert client.get(path).status_code == 404, path


def mp3(seconds: float, mono: bool = True, rate_bits: int = 0) -> bytes:
    """An ID3 tag and MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz (rate_bits 0), silent."""
    header = bytes([0xFF, 0xFB, 0x90 | rate_bits << 2, 0xC0 if mono else 0x00])
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 10]) + b"\0" * 10
    return tag + (header + b"\0" * 413) * int(seconds * 128000 / 8 / 417)


def test_voice_check_on_a_good_set(clip_app, voice_dir):
    result = clip_app.test_cli_runner().invoke(args=["voice", "check", "--lang", "ht"])
    assert result.exit_code == 0, result.output
    assert f"ht: 223 of 223 clips good in {voice_dir / 'ht'}; 0 problem(s)" in result.output


def test_voice_check_on_a_bad_set_names_each_problem(clip_app, voice_dir, tmp_path):
    folder = tmp_path / "recorded"
    shutil.copytree(voice_dir / "ht", folder)
    tone(folder / "number_7.wav", channels=2)
    tone(folder / "number_8.wav", rate=96000)
    tone(folder / "intro.wav", seconds=9)
    tone(folder / "at.wav", seconds=0.1)
    (folder / "menu.wav").write_text("not audio")
    (folder / "goodbye.wav").unlink()
    result = clip_app.test_cli_runner().invoke(args=["voice", "check", "--lang", "ht", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "number_7.wav (number.7): 2 channels: export it in mono" in lines
    assert "number_8.wav (number.8): 96000 Hz: export it at 8 to 48 kHz (22050 or 16000 is plenty)" in lines
    assert "intro.wav (intro): 9.0 s long: a clip is 0.2 to 8 seconds (trim the silence)" in lines
    assert "at.wav (at): 0.1 s long: a clip is 0.2 to 8 seconds (trim the silence)" in lines
    assert any(line.startswith("menu.wav (menu): unreadable: not a PCM WAV file") for line in lines)
    assert "goodbye.wav (goodbye): missing; it says: Orevwa." in lines
    assert lines[-1] == f"ht: 217 of 223 clips good in {folder}; 6 problem(s)"


def test_voice_check_reads_mp3_headers(clip_app, voice_dir):
    from bot.cli.voice import audio

    path = voice_dir / "clip.mp3"
    path.write_bytes(mp3(1.0))
    channels, rate, seconds = audio(path)
    assert (channels, rate) == (1, 44100) and 0.9 < seconds < 1.1
    path.write_bytes(mp3(1.0, mono=False, rate_bits=2))
    assert audio(path)[:2] == (2, 32000)
    path.write_bytes(b"ID3" + b"\0" * 200)
    with pytest.raises(ValueError, match="no MP3 frame"):
        audio(path)


def test_voice_missing_is_a_recording_sheet(tmp_path):
    app = make_local_app(tmp_path)  # data/voice as shipped: no recording yet
    result = app.test_cli_runner().invoke(args=["voice", "missing", "--lang", "ht"])
    assert result.exit_code == 0
    assert "ht\tday.1\tday_1.mp3\tpremye" in result.output.splitlines()
    assert result.output.splitlines()[-1] == "ht: 0 of 223 clips recorded"
    assert app.test_cli_runner().invoke(args=["voice", "missing", "--lang", "xx"]).exit_code == 1


def test_doctor_says_how_many_clips_are_recorded(tmp_path, voice_dir):
    shipped = make_local_app(tmp_path / "a")
    line = doctor_line(shipped, "voice clips")
    assert (
        line.startswith("warn")
        and "ht: 0 of 223 clips recorded; calls in ht are spoken in Spanish until they are" in line
    )
    (voice_dir / "ht" / "month_3.wav").unlink()
    recorded = make_local_app(tmp_path / "b", VOICE_DIR=str(voice_dir))
    assert "ht: 222 of 223 clips recorded; calls in ht are spoken" in doctor_line(recorded, "voice clips")
    (voice_dir / "ht" / "month_3.wav").write_bytes((voice_dir / "ht" / "month_4.wav").read_bytes())
    assert doctor_line(recorded, "voice clips") == "ok    voice clips: ht: 223 of 223 clips recorded"
    recorded.config["PUBLIC_URL"] = "https://" + "x" * MAX_PUBLIC_URL
    assert "HEARINGBOT_PUBLIC_URL is 48 characters" in doctor_line(recorded, "voice clips")


def doctor_line(app, name: str) -> str:
    output = app.test_cli_runner().invoke(args=["doctor", "--offline"]).output
    return next(line for line in output.splitlines() if line[6:].startswith(f"{name}:"))
