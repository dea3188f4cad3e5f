"""GET /voice/<lang>/<file>: the recorded clips Twilio's <Play> fetches during a call (docs/voice.md).

Public, like any URL Twilio fetches without signing it; a clip is a word or a sentence read by an
interpreter, the same for everyone, nothing about a person. Only files a clip language's manifest
lists are served (anything else, and any other path, is a 404), with a long cache so Twilio fetches
each once: a re-recorded clip gets a new file name in the manifest.

create_app reads data/voice/ (or the app's VOICE_DIR): a broken voices file or manifest stops the
app at start, like the places file.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, send_from_directory

from bot.core.voice import voices_of

bp = Blueprint("clips", __name__)
CACHE_SECONDS = 7 * 24 * 3600


@bp.get("/voice/<lang>/<file>")
def clip(lang: str, file: str) -> Response:
    """A listed clip's file, audio/mpeg or audio/wav; 404 for anything else."""
    voices = voices_of(current_app.config)
    listed = {c.file for c in voices.clips.get(lang, {}).values()}
    if file not in listed:  # the manifest's names only: no dot-dot, no folder, no other file
        abort(404)
    mimetype = "audio/mpeg" if file.endswith(".mp3") else "audio/wav"
    return send_from_directory(voices.root / lang, file, mimetype=mimetype, max_age=CACHE_SECONDS)
