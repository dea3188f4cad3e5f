"""`voice check` and `voice missing`: the recorded clips of the languages no voice speaks (docs/voice.md).

`voice check [--lang ht] [DIR]` checks a set of recordings (an interpreter's folder, or the one the
app serves) against the language's manifest: every clip there, each a mono WAV or MP3 at 8-48 kHz,
0.2-8 seconds long. One line per problem, a summary, exit 1 on any problem.
`voice missing [--lang ht]` lists what a language still needs, as a recording sheet: key, file, words.
"""

from __future__ import annotations

import wave
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from bot.core import places, voice
from bot.core.voice import voices_of

group = AppGroup("voice", help="Recorded clips for calls in languages no voice speaks.")

MIN_RATE, MAX_RATE = 8000, 48000  # Hz: the phone network is 8 kHz; more is wasted, less is mush
MIN_SECONDS, MAX_SECONDS = 0.2, 8.0  # a word, up to the longest sentence read slowly
# MPEG audio frame header tables (ISO 11172-3, 13818-3), Layer III only: kbit/s by index, Hz by index.
_MP3_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 and 2.5
}
_MP3_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits


def audio(path: Path) -> tuple[int, int, float]:
    """(channels, sample rate, seconds) of a WAV (read by `wave`) or an MP3 (its first frame's header;
    the length estimated from the file's size and bit rate); ValueError when it is neither."""
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as w:
                return w.getnchannels(), w.getframerate(), w.getnframes() / max(w.getframerate(), 1)
        except (wave.Error, EOFError) as error:
            raise ValueError(f"not a PCM WAV file ({error})") from error
    data = path.read_bytes()
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:  # an ID3v2 tag first: its size is 4 syncsafe bytes
        start = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | data[9] & 0x7F)
    for at in range(start, min(len(data) - 3, start + 65536)):
        b1, b2, b3 = data[at + 1], data[at + 2], data[at + 3]
        if data[at] != 0xFF or b1 & 0xE0 != 0xE0:
            continue
        version, layer, kbps_index, hz_index = (b1 >> 3) & 3, (b1 >> 1) & 3, b2 >> 4, (b2 >> 2) & 3
        if version == 1 or layer != 1 or kbps_index in (0, 15) or hz_index == 3:
            continue  # reserved values, not Layer III, or free format: not a header we can read
        kbps = _MP3_KBPS[1 if version == 3 else 2][kbps_index]
        channels = 1 if b3 >> 6 == 3 else 2
        return channels, _MP3_HZ[version][hz_index], (len(data) - at) * 8 / (kbps * 1000)
    raise ValueError("no MP3 frame found")


def problems(folder: Path, clips: dict[str, voice.Clip], needed: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every problem of a folder of recordings as (clip key, line): not in the manifest, missing,
    unreadable, stereo, sample rate, length."""
    found = [(key, f"{key}: not in the manifest (add it, its file and words)") for key in needed if key not in clips]
    for key, clip in clips.items():
        path = folder / clip.file
        said = []
        if not path.is_file():
            said.append(f"missing; it says: {clip.say}")
        else:
            try:
                channels, rate, seconds = audio(path)
            except (OSError, ValueError) as error:
                channels, rate, seconds = 1, MIN_RATE, MIN_SECONDS
                said.append(f"unreadable: {error}")
            if channels != 1:
                said.append(f"{channels} channels: export it in mono")
            if not MIN_RATE <= rate <= MAX_RATE:
                said.append(f"{rate} Hz: export it at 8 to 48 kHz (22050 or 16000 is plenty)")
            if not MIN_SECONDS <= seconds <= MAX_SECONDS:
                said.append(f"{seconds:.1f} s long: a clip is 0.2 to 8 seconds (trim the silence)")
        found += [(key, f"{clip.file} ({key}): {line}") for line in said]
    return found


def _manifest(lang: str) -> tuple[voice.Voices, dict[str, voice.Clip]]:
    voices = voices_of(current_app.config)
    if lang in voices.clips:
        return voices, dict(voices.clips[lang])
    path = voices.root / lang / "manifest.json"  # a new language, not yet in voices.json
    try:
        return voices, voice.read_manifest(path, lang)
    except ValueError as error:
        raise click.ClickException(str(error)) from error


@group.command("check")
@click.option("--lang", default="ht", show_default=True, help="The clip language whose manifest to check against.")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(lang: str, folder: Path | None) -> None:
    """Check recordings against a language's manifest (default DIR: the one served); exit 1 on any problem."""
    voices, clips = _manifest(lang)
    folder = folder or voices.root / lang
    found = problems(folder, clips, voice.needed_clips(places.load()))
    for _key, line in found:
        click.echo(line)
    good = len(clips) - len({key for key, _line in found if key in clips})
    click.echo(f"{lang}: {good} of {len(clips)} clips good in {folder}; {len(found)} problem(s)")
    if found:
        raise SystemExit(1)


@group.command("missing")
@click.option("--lang", default=None, help="One clip language (default: every one in voices.json).")
def missing(lang: str | None) -> None:
    """What each clip language still needs, as a recording sheet: key, file name, the words to say."""
    voices = voices_of(current_app.config)
    found = voice.missing_clips(voices, places.load())
    for code in [lang] if lang else list(found):
        if code not in found:
            raise click.ClickException(f"{code} is not a clip language in {voices.root / 'voices.json'}")
        clips = voices.clips[code]
        for key in found[code]:
            clip = clips.get(key)
            click.echo(f"{code}\t{key}\t{clip.file}\t{clip.say}" if clip else f"{code}\t{key}\t(not in the manifest)")
        total = len(voice.needed_clips(places.load()))
        click.echo(f"{code}: {total - len(found[code])} of {total} clips recorded")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
