"""The hard/soft policy: hard only when the address or its domain does not exist.

Everything else — full, quota, filtered, spam, policy, blocked, rate limited, expired,
suspended, system errors, and a bounce with no readable status — is soft, because a soft
bounce only counts towards a threshold while a hard one retires the address at once.
"""

from __future__ import annotations

import re

# RFC 3463 codes that say the address or its domain does not exist (5.1.10: null MX, RFC 7505;
# Microsoft's RecipientNotFound uses it too).
HARD_CODES = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"}
# 5.2.1 means "mailbox disabled", which servers also use for a temporary suspension: hard only
# when the text says the account is gone.
DISABLED_RE = re.compile(
    r"disabled|deactivated|does ?n[o']t exist|no longer (exists|active|valid|accepts)|"
    r"n'existe (pas|plus)|d[ée]sactiv[ée]e?|closed",
    re.I,
)
HARD_TEXT_RE = re.compile(
    r"user unknown|unknown user|unknown (recipient|address|mailbox)|no such (user|mailbox|"
    r"recipient|address|domain|person)|mailbox (unavailable|not found|does not exist)|"
    r"recipient (not found|unknown|does not exist)|address (not found|unknown|rejected: user)|"
    r"(invalid|bad|unknown) (recipient|address|mailbox|destination)|"
    r"does ?n[o']t (exist|have an? [\w.-]+ account)|couldn'?t be found|could not be found|"
    r"no mailbox here|not listed in (domino|the) directory|unrouteable address|"
    r"(host|domain) (not found|name not found|does not exist|unknown)|"
    r"non-?existent (host|domain|user|address)|unknown host|"
    r"(user|addressee|recipient) (not known|unknown|not found)|no longer valid|"
    r"account (has been |is )?(disabled|discontinued|deactivated|closed)|"
    r"adresse (inconnue|invalide|inexistante)|destinataire (inconnu|invalide|inexistant)|"
    r"utilisateur inconnu|bo[îi]te (aux lettres )?(inexistante|inconnue)|"
    r"n'existe (pas|plus)|domaine (inconnu|inexistant)",
    re.I,
)
# Texts that make a bounce soft even when an "address unknown"-like phrase is also present
# (e.g. "unknown" in "unknown error", or a French notice quoting both).
SOFT_TEXT_RE = re.compile(
    r"\bfull\b|quota|storage|exceed|spam|policy|block|rate.?limit|too many|expired|"
    r"suspended|temporar|try again|deferred|greylist|timed? ?out|pleine|d[ée]pass[ée]|"
    r"internal (server )?error|system error|reput|blacklist|denylist",
    re.I,
)


def classify(status: str | None, text: str | None = None, permanent: bool = True) -> str:
    """Hard or soft for one recipient, from its enhanced status code and its diagnostic text.

    ``permanent`` is False when the report itself says the failure is temporary (a DSN
    "Action: delayed", a 4xx reply, SES "Transient"): that is always soft.
    """
    text = text or ""
    if not permanent or (status and status[0] == "4"):
        return "soft"
    if status in HARD_CODES:
        return "hard"
    if status == "5.2.1":
        return "hard" if DISABLED_RE.search(text) else "soft"
    if status and status[0] == "5" and status != "5.0.0" and status[2] != "1":
        return "soft"  # a specific non-address code (5.2.2 full, 5.7.1 policy, 5.3.0 system…)
    # 5.0.0, 5.1.x outside the list, or no code at all: the text decides.
    if HARD_TEXT_RE.search(text) and not SOFT_TEXT_RE.search(text):
        return "hard"
    return "soft"
