"""A hypothesis state machine that interleaves what people write (STOP, START, BORRAR, CAMBIAR, new
dates, from SMS and WhatsApp) with dispatcher ticks, some of it landing while a batch is out.

Messages go through the real twilio client to the fake Messages API. At each request it asserts what
the person would notice: nothing to someone who said STOP or was erased, nothing about a hearing
time they replaced, and no reminder row sent twice. The only exception is the request already on
the wire when a person wrote: it was handed to Twilio before the message arrived."""

import re
import tempfile
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from app import create_app
from bot.core.clock import parse_iso
from bot.core.i18n import clock, weekday_day_month
from bot.core.segments import fold
from bot.store import db as storage
from bot.web import context
from bot.web.context import deps_of
from scheduler.runner import Runner
from scheduler.transport import TwilioTransport
from tests.fake_twilio import FakeTwilio
from tests.helpers import NOW, PUBLIC_URL, TOKEN, Phone

PHONES = ["+5216560000401", "+5216560000402", "+5216560000403"]
DAYS = ["el 16 de febrero a las 9", "el 20 de febrero a las 10:30"]  # few: people share reminder moments
EL_PASO = ZoneInfo("America/Denver")  # Juárez people: hearings at the El Paso court
ACTIONS = ["STOP", "ya no quiero mensajes", "ALTA", "BORRAR", "CAMBIAR"]


class Checking(TwilioTransport):
    """The real client; before each request, the checks; then what people wrote meanwhile lands."""

    def __init__(self, config, machine):
        super().__init__(config)
        self.machine = machine

    def send(self, message):
        self.machine.check(message)
        sent = super().send(message)
        self.machine.meanwhile()  # this request was on the wire when they wrote
        return sent


class Delivery(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.fake = FakeTwilio().__enter__()
        self.app = create_app(
            {
                "INSTANCE_DIR": self.dir.name,
                "DATABASE": f"{self.dir.name}/d.db",
                "SECRET_KEY": "fuzz-" + "k" * 32,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                "PUBLIC_URL": PUBLIC_URL,
                "TWILIO_API_BASE": self.fake.base_url,
                "TWILIO_SMS_FROM": "+15005550006",
                "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
                "TWILIO_MESSAGING_SERVICE_SID": "",
                "SEND_RATE": 0,
                "NOW": NOW,
                "TWILIO_TIMEOUT_SECONDS": 5,
            }
        )
        with self.app.app_context():
            storage.migrate(context.get_db())
        self.db = storage.connect(self.app.config["DATABASE"])
        client = self.app.test_client()
        self.phones = {(n, ch): Phone(client, n, channel=ch) for n in PHONES for ch in ("sms", "whatsapp")}
        self.vault = self.app.extensions["hearingbot.vault"]
        self.runner = Runner(deps_of(self.app), transport=Checking(self.app.config, self))
        self.model = {n: self.read(n) for n in PHONES}  # what each person was last told
        self.queued = []  # messages that land while the next batch is out
        self.sent_rows = set()
        self.violations = []

    def teardown(self):
        self.runner.release()
        self.db.close()
        self.fake.__exit__(None, None, None)
        self.dir.cleanup()

    def read(self, number):
        """What the bot told this person it holds: opted out or not, and the active hearing."""
        found = self.db.execute(
            "SELECT id, opted_out_at FROM contacts WHERE phone_hash = ?", [self.vault.lookup_hash(number)]
        ).fetchone()
        if not found:
            return {"known": False, "opted_out": False, "hearing": None}
        hearing = self.db.execute(
            "SELECT hearing_at FROM hearings WHERE contact_id = ? AND status = 'active'", [found[0]]
        ).fetchone()
        return {"known": True, "opted_out": bool(found[1]), "hearing": hearing and parse_iso(hearing[0])}

    def say(self, number, channel, *texts):
        answer = ""
        for text in texts:
            if text == "CODE":  # the one-time code the bot sent to this phone, as only its owner can
                found = re.search(r"\b\d{3}\b", answer)
                text = found[0] if found else "si"
            answer = "\n".join(self.phones[(number, channel)].texts(text))
            self.model[number] = self.read(number)  # confirmed to the person by the reply
        self.sent_rows &= {r[0] for r in self.db.execute("SELECT id FROM outbox")}  # an erased row's id comes back

    @initialize(channels=st.lists(st.sampled_from(["sms", "whatsapp"]), min_size=3, max_size=3))
    def everyone_registers_for_one_day(self, channels):
        """Batches of several people's reminders: what lands mid-batch has rows left to stop."""
        for number, channel in zip(PHONES, channels, strict=True):
            self.say(number, channel, "hola", "1", "4", DAYS[0], "si", "no")

    def check(self, message):
        """Called inside the dispatcher, which would fail the row politely: the failure is kept, and
        the tick that caused it fails the test."""
        try:
            self._check(message)
        except AssertionError as error:
            self.violations.append(error)
            raise

    def _check(self, message):
        number = message.to
        person = self.model[number]
        assert person["known"], (number, "erased, yet messaged", message.body)
        assert not person["opted_out"], (number, "said STOP, yet messaged", message.body)
        assert person["hearing"], (number, "no hearing, yet reminded", message.body)
        local = person["hearing"].astimezone(EL_PASO)
        body = fold(message.body)  # a long text goes with its accents folded ('sabado'): compare alike
        if body.startswith("Su audiencia es hoy"):  # the wake-up names the time
            assert fold(clock(local.time(), "es")) in body, (number, "old time", message.body)
        else:  # the reminders and the evening-before message name the date
            assert fold(weekday_day_month(local.date(), "es")) in body, (number, "old date", message.body)
        (row,) = self.db.execute("SELECT id FROM outbox WHERE status = 'sending' AND handed_at IS NOT NULL").fetchall()
        assert row[0] not in self.sent_rows, ("row sent twice", row[0])
        self.sent_rows.add(row[0])

    def meanwhile(self):
        queued, self.queued = self.queued, []
        for number, channel, texts in queued:
            self.say(number, channel, *texts)

    @rule(number=st.sampled_from(PHONES), channel=st.sampled_from(["sms", "whatsapp"]), day=st.sampled_from(DAYS))
    def registers_or_changes(self, number, channel, day):
        if self.model[number]["hearing"]:
            self.say(number, channel, "CAMBIAR", day, "si", "no")
        else:
            self.say(number, channel, "hola", "1", "4", day, "si", "no")

    @rule(number=st.sampled_from(PHONES), channel=st.sampled_from(["sms", "whatsapp"]), word=st.sampled_from(ACTIONS))
    def writes(self, number, channel, word):
        self.say(number, channel, *((word, "CODE") if word == "BORRAR" else (word,)))

    @rule(
        number=st.sampled_from(PHONES),
        channel=st.sampled_from(["sms", "whatsapp"]),
        texts=st.sampled_from(
            [
                ("STOP",),
                ("BORRAR", "CODE"),
                ("CAMBIAR", DAYS[0], "si"),
                ("CAMBIAR", DAYS[1], "si"),
                ("ALTA",),
                ("pare de enviar",),
            ]
        ),
    )
    def writes_during_the_next_batch(self, number, channel, texts):
        self.queued.append((number, channel, texts))

    @rule(hours=st.integers(1, 96))
    def time_passes(self, hours):
        self.app.config["NOW"] += timedelta(hours=hours)
        self.tick()

    @rule()
    def the_next_reminder_moment_comes(self):
        (due,) = self.db.execute("SELECT min(send_at) FROM outbox WHERE status = 'pending'").fetchone()
        if due and parse_iso(due) > self.app.config["NOW"]:
            self.app.config["NOW"] = parse_iso(due) + timedelta(seconds=5)
        self.tick()

    def tick(self):
        counts = self.runner.tick()
        assert not self.violations, self.violations
        assert "error" not in counts and not counts["failed"], counts
        self.meanwhile()  # what was meant to land mid-batch lands now if nothing was sent

    @invariant()
    def nothing_is_left_claimed(self):
        assert not self.db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0]


Delivery.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_delivery = Delivery.TestCase
