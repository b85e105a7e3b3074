"""flufl.bounce's own DSN samples (tests/data of its 6.0.0 sdist) through `analyse`.

The expected addresses are flufl.bounce's, from the DETECTORS table of its
tests/test_detectors.py (Apache-2.0), merged per file; temporary=True means a soft bounce.
"""

from pathlib import Path

import pytest

from cac_news.mailing.bounces.parse import analyse

FLUFL_DATA = Path(__file__).parents[1] / "data" / "bounces" / "flufl"

# file -> (expected addresses, temporary), as flufl.bounce's tests list them.
FLUFL_EXPECTED = {
    "postfix_01.txt": (["xxxxx@local.ie"], False),
    "postfix_02.txt": (["yyyyy@digicool.com"], False),
    "postfix_03.txt": (["ttttt@ggggg.com"], False),
    "postfix_04.txt": (["userx@mail1.example.com"], False),
    "postfix_05.txt": (["userx@example.net"], False),
    "exim_01.txt": (["userx@its.example.nl"], False),
    "sendmail_01.txt": (["zzzzz@shaft.coal.nl", "zzzzz@nfg.nl"], False),
    "simple_01.txt": (["bbbsss@example.com"], False),
    "simple_02.txt": (["userx@example.net"], False),
    "simple_04.txt": (["userx@example.com"], False),
    "newmailru_01.txt": (["zzzzz@newmail.ru"], False),
    "hotpop_01.txt": (["userx@example.com"], False),
    "microsoft_03.txt": (["userx@example.com"], False),
    "simple_05.txt": (["userx@example.net"], False),
    "simple_06.txt": (["userx@example.com"], False),
    "simple_07.txt": (["userx@example.net"], False),
    "simple_08.txt": (["userx@example.de"], False),
    "simple_09.txt": (["userx@example.de"], False),
    "simple_10.txt": (["userx@example.com"], False),
    "simple_11.txt": (["userx@example.com"], False),
    "simple_12.txt": (["userx@example.ac.jp"], False),
    "simple_13.txt": (["userx@example.fr"], False),
    "simple_14.txt": (["userx@example.com", "usery@example.com"], False),
    "simple_15.txt": (["userx@example.be"], False),
    "simple_16.txt": (["userx@example.com"], False),
    "simple_17.txt": (["userx@example.com"], False),
    "simple_18.txt": (["userx@example.com"], False),
    "simple_19.txt": (["userx@example.com.ar"], False),
    "simple_20.txt": (["userx@example.com"], False),
    "simple_23.txt": (["userx@example.it"], False),
    "simple_24.txt": (["userx@example.com"], False),
    "simple_25.txt": (["userx@example.com"], False),
    "simple_26.txt": (["userx@example.it"], False),
    "simple_27.txt": (["userx@example.net.py"], False),
    "simple_29.txt": (["userx@example.com"], False),
    "simple_30.txt": (["userx@example.com"], False),
    "simple_31.txt": (["userx@example.fr"], False),
    "simple_32.txt": (["userx@example.com"], False),
    "simple_33.txt": (["userx@example.com"], False),
    "simple_34.txt": (["roland@example.com"], False),
    "simple_36.txt": (["userx@example.com"], False),
    "simple_37.txt": (["user@example.edu"], False),
    "simple_38.txt": (["userx@example.com"], False),
    "simple_39.txt": (["userx@example.ru"], False),
    "simple_41.txt": (["userx@example.com"], False),
    "simple_42.txt": ([], False),
    "simple_43.txt": ([], False),
    "simple_44.txt": (["user@example.com"], False),
    "simple_45.txt": (["subscriber@earthlink.net"], False),
    "bounce_02.txt": (["userx@example.com"], False),
    "bounce_03.txt": (["userx@example.uk"], False),
    "yahoo_12.txt": (["user@yahoo.com"], False),
    "simple_03.txt": (["userx@example.za"], True),
    "simple_21.txt": (["userx@example.com"], True),
    "simple_22.txt": (["User@example.org"], True),
    "simple_28.txt": (["userx@example.com"], True),
    "simple_35.txt": (["calvin@example.com"], True),
    "simple_40.txt": (["user@example.com"], True),
    "groupwise_01.txt": (["userx@example.EDU"], False),
    "groupwise_02.txt": (["userx@example.com"], False),
    "groupwise_03.txt": ([], False),
    "yale_01.txt": (["userx@cs.yale.edu", "userx@yale.edu"], False),
    "dsn_01.txt": (["userx@example.com"], False),
    "dsn_02.txt": (["zzzzz@example.uk"], False),
    "dsn_03.txt": (["userx@example.be"], False),
    "dsn_04.txt": (["userx@example.ch"], False),
    "dsn_05.txt": (["userx@example.cz"], True),
    "dsn_06.txt": (["userx@example.com"], True),
    "dsn_07.txt": (["userx@example.nz"], True),
    "dsn_08.txt": (["userx@example.de"], True),
    "dsn_09.txt": (["userx@example.com"], False),
    "dsn_10.txt": (["anne.person@dom.ain"], False),
    "dsn_11.txt": (["joem@example.com"], False),
    "dsn_12.txt": (["userx@example.jp"], False),
    "dsn_13.txt": (["userx@example.com"], False),
    "dsn_14.txt": (["userx@example.com.dk"], False),
    "dsn_15.txt": (["userx@example.com"], False),
    "dsn_16.txt": (["userx@example.com"], False),
    "dsn_17.txt": (["userx@example.fi"], True),
    "dsn_18.txt": (["email@replaced.net"], False),
    "microsoft_01.txt": (["userx@example.COM"], False),
    "microsoft_02.txt": (["userx@example.COM"], False),
    "microsoft_04.txt": (["userx@example.COM"], False),
    "smtp32_01.txt": (["userx@example.ph"], False),
    "smtp32_02.txt": (["userx@example.com"], False),
    "smtp32_03.txt": (["userx@example.com"], False),
    "smtp32_04.txt": (["after_another@example.net", "one_bad_address@example.net"], False),
    "smtp32_05.txt": (["userx@example.com"], False),
    "smtp32_06.txt": (["Absolute_garbage_addr@example.net"], False),
    "smtp32_07.txt": (["userx@example.com"], False),
    "qmail_01.txt": (["userx@example.de"], False),
    "qmail_02.txt": (["userx@example.com"], False),
    "qmail_03.txt": (["userx@example.jp"], False),
    "qmail_04.txt": (["userx@example.au"], False),
    "qmail_05.txt": (["userx@example.com"], False),
    "qmail_06.txt": (["ntl@xxx.com"], False),
    "qmail_07.txt": (["user@example.net"], False),
    "qmail_08.txt": ([], False),
    "llnl_01.txt": (["user1@example.gov"], False),
    "netscape_01.txt": (["aaaaa@corel.com", "bbbbb@corel.com"], False),
    "yahoo_01.txt": (["userx@example.com"], False),
    "yahoo_02.txt": (["userx@example.es"], False),
    "yahoo_03.txt": (["userx@example.com"], False),
    "yahoo_04.txt": (["userx@example.es", "usery@example.uk"], False),
    "yahoo_05.txt": (["userx@example.com", "usery@example.com"], False),
    "yahoo_06.txt": (
        ["userx@example.com", "usery@example.com", "userz@example.com", "usera@example.com"],
        False,
    ),
    "yahoo_07.txt": (
        ["userw@example.com", "userx@example.com", "usery@example.com", "userz@example.com"],
        False,
    ),
    "yahoo_08.txt": (
        [
            "usera@example.com",
            "userb@example.com",
            "userc@example.com",
            "userd@example.com",
            "usere@example.com",
            "userf@example.com",
        ],
        False,
    ),
    "yahoo_09.txt": (["userx@example.com", "usery@example.com"], False),
    "yahoo_10.txt": (["userx@example.com", "usery@example.com", "userz@example.com"], False),
    "yahoo_11.txt": (["bad_user@aol.com"], False),
    "yahoo_13.txt": (["bogus-address@example.net"], False),
    "sina_01.txt": (["userx@sina.com", "usery@sina.com"], False),
    "aol_01.txt": (["screenname@aol.com"], False),
    "caiwireless_01.txt": (["userx@example.com"], False),
    # Not in flufl.bounce's table: its test_scan_unrecognized finds no address in it.
    "dumbass_01.txt": ([], False),
    # Not in flufl.bounce's table at all: a "Jetmail System" notice naming no address.
    "bounce_01.txt": ([], False),
}

# flufl.bounce calls nearly all of these permanent; by our policy only those whose code or
# text says the address or its domain does not exist are hard (user unknown, no such user,
# 5.1.1, account disabled…). Reviewed by hand: the rest say quota, over size, loops, system
# errors, or give no reason at all, which the policy counts soft.
HARD_BY_POLICY = {
    "bounce_02.txt",
    "dsn_10.txt",
    "dsn_11.txt",
    "dsn_12.txt",
    "dsn_13.txt",
    "dsn_14.txt",
    "dsn_16.txt",
    "dsn_18.txt",
    "exim_01.txt",
    "groupwise_01.txt",
    "groupwise_02.txt",
    "microsoft_01.txt",
    "microsoft_02.txt",
    "microsoft_04.txt",
    "postfix_01.txt",
    "qmail_03.txt",
    "qmail_04.txt",
    "qmail_05.txt",
    "simple_04.txt",
    "simple_05.txt",
    "simple_06.txt",
    "simple_08.txt",
    "simple_11.txt",
    "simple_13.txt",
    "simple_15.txt",
    "simple_19.txt",
    "simple_23.txt",
    "simple_25.txt",
    "simple_26.txt",
    "simple_27.txt",
    "simple_29.txt",
    "simple_34.txt",
    "simple_36.txt",
    "simple_39.txt",
    "simple_41.txt",
    "yahoo_03.txt",
    "yahoo_05.txt",
    "yahoo_06.txt",
    "yahoo_07.txt",
    "yahoo_08.txt",
    "yahoo_09.txt",
    "yahoo_10.txt",
    "yahoo_11.txt",
    "yahoo_13.txt",
}


def test_every_shipped_sample_has_an_expectation():
    """The table covers the whole directory, so no sample goes untested."""
    shipped = {path.name for path in FLUFL_DATA.glob("*.txt")}
    assert len(shipped) == 117
    assert shipped == set(FLUFL_EXPECTED)


@pytest.mark.parametrize("filename", sorted(FLUFL_EXPECTED))
def test_flufl_sample(filename):
    """Each sample yields flufl.bounce's expected addresses, lower-cased, with its kind."""
    addresses, temporary = FLUFL_EXPECTED[filename]
    report = analyse((FLUFL_DATA / filename).read_bytes())
    assert sorted(report.recipients) == sorted({a.lower() for a in addresses})
    if not addresses:
        assert report.kind in ("not_bounce", "soft", "hard")  # counted, never a crash
        return
    assert report.kind == ("hard" if filename in HARD_BY_POLICY and not temporary else "soft")
