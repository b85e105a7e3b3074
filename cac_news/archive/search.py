"""Archive search: SQLite FTS5 (embedded default) or PostgreSQL full-text search.

Accent folding and French stemming on both: on SQLite the indexed text and the query
are folded and stemmed here (snowball's French stemmer; FTS5 has none), then FTS5's
``unicode61 remove_diacritics 2`` tokenizer matches them; on PostgreSQL the
``cac_french`` configuration (unaccent, then french_stem) made by the migration does it.
The query is tokenised here into words: no FTS syntax from the visitor ever reaches the
database, and every value is a bound parameter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import nh3
import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import text

from cac_news.extensions import db
from cac_news.models import ArchivedCopy

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
EXCERPT_WORDS = 30
WORD = re.compile(r"\w+")
# Query words too common to restrict a search (still indexed: FTS5 has no stop list).
STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les un une pour par sur dans que qui ou".split()
)
# PostgreSQL highlight delimiters, turned into <mark> after escaping.
MARK_START, MARK_END = "⟦", "⟧"


@dataclass(frozen=True)
class Hit:
    """One search result: the copy and an excerpt (safe HTML, only <mark> tags)."""

    copy: ArchivedCopy
    excerpt: Markup


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


def fold(word: str) -> str:
    """Lower-case and strip accents: "Économie" -> "economie"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """Fold then stem a word, the same way for the index and the query."""
    return _stemmer().stemWord(fold(word))


def stem_text(source: str) -> str:
    """Every word of a text, folded and stemmed, in order."""
    return " ".join(stem(word) for word in WORD.findall(source))


def query_terms(query: str) -> list[str]:
    """The visitor's query as plain words (no operators), stop words dropped if others remain."""
    words = WORD.findall((query or "")[:MAX_QUERY_CHARS])
    words = [w for w in words if len(w) <= 60][: MAX_TERMS * 2]
    kept = [w for w in words if fold(w) not in STOP_WORDS] or words
    return kept[:MAX_TERMS]


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def index_copy(copy: ArchivedCopy) -> None:
    """Add (or refresh) a public copy in the SQLite FTS5 index; PostgreSQL needs nothing."""
    if not _is_sqlite():
        return
    db.session.execute(text("DELETE FROM archive_fts WHERE rowid = :id"), {"id": copy.id})
    db.session.execute(
        text("INSERT INTO archive_fts (rowid, subject, body) VALUES (:id, :subject, :body)"),
        {"id": copy.id, "subject": stem_text(copy.subject), "body": stem_text(copy.text)},
    )


def unindex_copy(copy: ArchivedCopy) -> None:
    """Remove a copy from the SQLite FTS5 index (PostgreSQL queries skip withdrawn copies)."""
    if _is_sqlite():
        db.session.execute(text("DELETE FROM archive_fts WHERE rowid = :id"), {"id": copy.id})


def search(query: str, limit: int = 10, offset: int = 0) -> tuple[list[Hit], int]:
    """Public copies matching every word of the query, best first, and their total."""
    terms = query_terms(query)
    if not terms:
        return [], 0
    if _is_sqlite():
        return _search_sqlite(terms, limit, offset)
    return _search_postgresql(terms, limit, offset)


def _search_sqlite(terms: list[str], limit: int, offset: int) -> tuple[list[Hit], int]:
    stems = [stem(t) for t in terms]
    # Each stem becomes a quoted FTS5 string ("" escapes a quote; \w+ has none anyway).
    match = " ".join('"' + s.replace('"', '""') + '"' for s in stems)
    where = (
        "FROM archive_fts JOIN archived_copy c ON c.id = archive_fts.rowid "
        "WHERE archive_fts MATCH :match AND c.withdrawn_at IS NULL"
    )
    total = db.session.execute(text(f"SELECT count(*) {where}"), {"match": match}).scalar()  # noqa: S608
    rows = db.session.execute(
        text(
            f"SELECT c.id {where} ORDER BY bm25(archive_fts, 4.0, 1.0), c.number DESC "  # noqa: S608
            "LIMIT :limit OFFSET :offset"
        ),
        {"match": match, "limit": limit, "offset": offset},
    ).scalars()
    copies = [db.session.get(ArchivedCopy, copy_id) for copy_id in rows]
    return [Hit(c, highlight(c.text, set(stems))) for c in copies], total or 0


def _search_postgresql(terms: list[str], limit: int, offset: int) -> tuple[list[Hit], int]:
    where = (
        "FROM archived_copy c, plainto_tsquery('cac_french', :q) query "
        "WHERE to_tsvector('cac_french'::regconfig, c.subject || ' ' || c.text) @@ query "
        "AND c.withdrawn_at IS NULL"
    )
    params = {"q": " ".join(terms)}
    total = db.session.execute(text(f"SELECT count(*) {where}"), params).scalar()  # noqa: S608
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={EXCERPT_WORDS}, "
        'MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
    )
    rows = db.session.execute(
        text(
            "SELECT c.id, ts_headline('cac_french', c.text, query, :options) "  # noqa: S608
            f"{where} ORDER BY ts_rank(to_tsvector('cac_french'::regconfig, "
            "c.subject || ' ' || c.text), query) DESC, c.number DESC "
            "LIMIT :limit OFFSET :offset"
        ),
        {**params, "options": options, "limit": limit, "offset": offset},
    ).all()
    hits = []
    for copy_id, headline in rows:
        marked = str(escape(headline)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        hits.append(Hit(db.session.get(ArchivedCopy, copy_id), _only_marks(marked)))
    return hits, total or 0


def highlight(source: str, stems: set[str], words: int = EXCERPT_WORDS) -> Markup:
    """An excerpt of the text around the first matching word, matches in <mark>."""
    tokens = re.findall(r"\w+|\W+", source)
    matches = [i for i, tok in enumerate(tokens) if tok[0].isalnum() or tok[0] == "_"]
    hits = [i for i in matches if stem(tokens[i]) in stems]
    first = hits[0] if hits else 0
    start = max(0, first - words)  # tokens alternate word / gap: 2 tokens per word
    end = min(len(tokens), first + 2 * words)
    out = ["… " if start > 0 else ""]
    hit_set = set(hits)
    for i in range(start, end):
        piece = str(escape(tokens[i]))
        out.append(f"<mark>{piece}</mark>" if i in hit_set else piece)
    out.append(" …" if end < len(tokens) else "")
    return _only_marks("".join(out).strip())


def _only_marks(html: str) -> Markup:
    """Belt and braces: whatever the excerpt holds, only <mark> survives."""
    return Markup(nh3.clean(html, tags={"mark"}, attributes={}))  # noqa: S704 (nh3-cleaned)
