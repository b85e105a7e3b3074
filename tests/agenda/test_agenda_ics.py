"""The agenda's iCalendar files, parsed back by icalendar: times across the daylight-saving
change, all-day dates, cancellation, SEQUENCE on edits, stable UID, folding and escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cac_news.agenda.events import event_data, save_event, set_cancelled
from tests.agenda_helpers import make_event, parse_events


def _feed(client) -> list:
    response = client.get("/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return parse_events(response.data)


def test_ten_oclock_in_paris_on_each_side_of_the_dst_change(app, client):
    winter = make_event(
        "Avant le changement d'heure", start="2027-03-27 10:00", end="2027-03-27 12:00"
    )
    summer = make_event("Après le changement d'heure", start="2027-03-29 10:00")
    by_uid = {str(e["uid"]): e for e in _feed(client)}
    first = by_uid[f"event-{winter.id}@localhost"]
    second = by_uid[f"event-{summer.id}@localhost"]
    # Paris is UTC+1 until 28 March 2027 at 02:00, then UTC+2.
    assert first.decoded("dtstart") == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert first.decoded("dtend") == datetime(2027, 3, 27, 11, 0, tzinfo=UTC)
    assert second.decoded("dtstart") == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert "dtend" not in second
    raw = client.get(f"/agenda/{winter.id}.ics").data.decode()
    assert "DTSTART:20270327T090000Z" in raw
    assert "DTSTAMP:" in raw


def test_all_day_events_are_dates_with_an_exclusive_end(app, client):
    event = make_event("Assemblée", start="2027-04-03", end="2027-04-04", all_day=True)
    (component,) = parse_events(client.get(f"/agenda/{event.id}.ics").data)
    assert component.decoded("dtstart") == date(2027, 4, 3)
    assert component.decoded("dtend") == date(2027, 4, 5)
    assert "DTSTART;VALUE=DATE:20270403" in client.get(f"/agenda/{event.id}.ics").data.decode()


def test_cancelled_event_says_so_and_bumps_sequence(app, client):
    event = make_event()
    (before,) = parse_events(client.get(f"/agenda/{event.id}.ics").data)
    assert before["status"] == "CONFIRMED"
    assert int(before["sequence"]) == 0
    set_cancelled(event)
    (after,) = [e for e in _feed(client) if str(e["uid"]) == str(before["uid"])]
    assert after["status"] == "CANCELLED"
    assert int(after["sequence"]) == 1


def test_an_edit_bumps_sequence_and_keeps_the_uid(app, client):
    event = make_event()
    (before,) = parse_events(client.get(f"/agenda/{event.id}.ics").data)
    data = event_data(event)
    save_event(data, event)  # nothing changed: same sequence
    assert event.sequence == 0
    data.start = "2027-03-29 14:00"
    save_event(data, event)
    (after,) = parse_events(client.get(f"/agenda/{event.id}.ics").data)
    assert str(after["uid"]) == str(before["uid"]) == f"event-{event.id}@localhost"
    assert int(after["sequence"]) == 1
    assert after.decoded("dtstart") == datetime(2027, 3, 29, 12, 0, tzinfo=UTC)
    assert after.decoded("dtstamp") >= before.decoded("dtstamp")


def test_text_is_escaped_and_long_lines_folded(app, client):
    title = "Réunion; ordre du jour, budget\\dépenses " + "très long " * 12
    event = make_event(title, description_md="Ligne un\n\nLigne deux, avec; signes")
    raw = client.get(f"/agenda/{event.id}.ics").data
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"ordre du jour\\, budget\\\\d" in raw.replace(b"\r\n ", b"")
    (component,) = parse_events(raw)
    assert str(component["summary"]) == title.strip()
    assert "Ligne deux, avec; signes" in str(component["description"])
    assert str(component["url"]) == f"http://localhost/agenda/{event.id}/"
