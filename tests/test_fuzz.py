"""A hypothesis state machine over the conversation: any messages, from any of several phones, in
any order, never raise, never answer with a 5xx, and never show one person another's hearing."""

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app import create_app
from bot.core.dates import LANGS, parse_hearing
from bot.core.i18n import long_date
from bot.store import db as storage
from bot.web import context
from tests.helpers import NOW, TOKEN, Phone

PHONES = ["+5216560000101", "+5216560000202", "+5216560000303"]
# Each phone has its own hearing day, one that no word below and no example in the catalogs names.
DAYS = {
    PHONES[0]: ("el 17 de junio a las 8:30", date(2026, 6, 17)),
    PHONES[1]: ("el 23 de julio a las 9", date(2026, 7, 23)),
    PHONES[2]: ("el 28 de agosto a las 10", date(2026, 8, 28)),
}
WORDS = st.sampled_from(
    [
        "hola",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "9",
        "si",
        "no",
        "sí",
        "SI",
        "AUDIENCIA",
        "CAMBIAR",
        "ALBERGUE",
        "MAS",
        "SEGURIDAD",
        "STOP",
        "ALTA",
        "BORRAR",
        "IDIOMA",
        "AYUDA",
        "tijuana",
        "otra",
        "no se",
        "puente 4:30",
        "a las 8",
        "03/04/2026",
        "martes 9 de marzo",
        "",
        "ALERTA ALL hola",
    ]
)


def leaks(day: date, body: str) -> bool:
    """A reply names a hearing day as the bot says a stored hearing: weekday, day, month and year."""
    return any(long_date(day, lang) in body for lang in LANGS)


def test_the_leak_check_fires_on_a_stored_hearing_only():
    """The check is exact: examples and menus never name a phone's day in the bot's long form."""
    catalogs = "".join(Path(f"locales/{lang}/LC_MESSAGES/messages.po").read_text(encoding="utf-8") for lang in LANGS)
    for _, day in DAYS.values():
        assert not leaks(day, catalogs)
        assert leaks(day, f"Tiene su audiencia el {long_date(day, 'es')}, 8:30 a. m.")


class Conversations(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.app = create_app(
            {
                "INSTANCE_DIR": self.dir.name,
                "DATABASE": f"{self.dir.name}/fuzz.db",
                "SECRET_KEY": "fuzz-" + "k" * 32,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
                "PUBLIC_URL": "https://bot.example.org",
                "NOW": NOW,
            }
        )
        with self.app.app_context():
            storage.migrate(context.get_db())
        client = self.app.test_client()
        self.phones = {number: Phone(client, number) for number in PHONES}
        self.named = {number: set() for number in PHONES}  # the days each phone has written itself

    def teardown(self):
        self.dir.cleanup()

    def say(self, number, text, **extra):
        for lang in LANGS:  # a day this phone wrote may come back to it in any language's reading
            parsed = parse_hearing(text, lang, NOW.date())
            self.named[number].update(d for d in (parsed and (parsed.date, parsed.alternative)) or () if d)
        answer = self.phones[number].post(self.phones[number].form(text, **extra))
        assert answer.status_code == 200, answer.status_code
        body = answer.get_data(as_text=True)
        for other, (_, day) in DAYS.items():
            if other != number and day not in self.named[number]:
                assert not leaks(day, body), (number, text, body)
        return body

    @rule(number=st.sampled_from(PHONES), text=WORDS)
    def a_word(self, number, text):
        self.say(number, text)

    @rule(number=st.sampled_from(PHONES))
    def their_own_hearing(self, number):
        self.say(number, DAYS[number][0])

    @rule(number=st.sampled_from(PHONES), text=st.text(max_size=80))
    def anything(self, number, text):
        self.say(number, text)

    @rule(number=st.sampled_from(PHONES), lat=st.floats(-90, 90), lon=st.floats(-180, 180))
    def a_location(self, number, lat, lon):
        self.say(number, "", Latitude=str(lat), Longitude=str(lon))

    @invariant()
    def each_hearing_belongs_to_its_person(self):
        db = storage.connect(self.app.config["DATABASE"])
        try:
            owners = db.execute(
                "SELECT count(*) FROM hearings h LEFT JOIN contacts c ON c.id = h.contact_id WHERE c.id IS NULL"
            ).fetchone()[0]
            assert owners == 0
        finally:
            db.close()


Conversations.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
test_conversations = Conversations.TestCase
