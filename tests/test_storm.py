"""The alert storm (bench/storm.py) at a tiny size, with the real processes: gunicorn (2 workers), one
`flask scheduler` and the fake Twilio posting signed status callbacks and replies while it drains."""

from bench.storm import run


def test_an_alert_to_everyone_goes_once_and_every_callback_and_reply_lands(tmp_path):
    result = run(people=50, rate=0, reply_every=5, interval=0.2, workdir=tmp_path)
    assert result["recipients"] == result["sent"] == result["twilio_accepted"] == 50
    assert result["sent_twice"] == 0 and result["not_sent"] == 0
    whatsapp = result["statuses"].get("read", 0)
    assert whatsapp and result["statuses"] == {"delivered": 50 - whatsapp, "read": whatsapp}
    assert result["callbacks_sent"] == 2 * 50 + whatsapp  # sent and delivered, and read on WhatsApp
    assert result["callbacks_failed"] == 0 and result["callbacks_lost"] == 0
    assert result["replies"] == result["replies_answered"] == 10
    assert result["ok"]
