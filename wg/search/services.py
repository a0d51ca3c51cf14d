"""Querying the index: safe parsing, permission filter in SQL, ranking, snippets, facets."""

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, func, literal_column, or_, select, text
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.visitors import replacement_traverse

from wg import permissions
from wg.extensions import db
from wg.groups.models import Group
from wg.search.index import fold
from wg.search.models import SearchDocument as D

MAX_QUERY = 200
MAX_TERMS = 12
PER_PAGE = 20
TYPE_LABELS = {
    "action": _l("Action"),
    "progress": _l("Progress note"),
    "meeting": _l("Meeting"),
    "agenda_item": _l("Agenda item"),
    "minutes": _l("Minutes"),
    "decision": _l("Decision"),
    "initiative": _l("Initiative"),
    "commitment": _l("Commitment"),
    "document": _l("Document"),
}
# Snippet markers: private-use characters that cannot survive escaping as markup.
START, STOP = "\ue000", "\ue001"
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f]")
_WORD = re.compile(r"\w+", re.UNICODE)
# A decision's reference as people type it: SWG1.1-2026/15, WG3-2025/1, "swg1.1 2026 15".
_REFERENCE = re.compile(r"(?<![\w.])([A-Za-z]+\d+(?:\.\d+)*)\s*[-\s]\s*(\d{4})\s*[/\s-]\s*(\d{1,6})"
                        r"(?![\w/])")


# The id argument of each linked page (an endpoint without one takes no id).
URL_ARGS = {"actions.detail": "action_id", "meetings.detail": "meeting_id",
            "decisions.detail": "decision_id", "initiatives.detail": "initiative_id",
            "documents.detail": "document_id"}


def href(doc):
    from flask import url_for

    arg = URL_ARGS.get(doc.url_endpoint)
    url = url_for(doc.url_endpoint, **({arg: doc.url_id} if arg else {}))
    return url + (f"#{doc.url_anchor}" if doc.url_anchor else "")


@dataclass
class Results:
    hits: list = field(default_factory=list)
    total: int = 0  # exact, or COUNT_LIMIT when `capped`
    facets: dict = field(default_factory=dict)  # {type: matches}, among a sample if `sampled`
    capped: bool = False  # more than COUNT_LIMIT matches: `total` counted no further
    sampled: bool = False  # more than COUNT_LIMIT matches of any type: `facets` are a sample
    has_next: bool = False


def parse(q):
    """The user's text as a list of plain terms (letters and digits only, no syntax)."""
    terms = []
    for chunk in (q or "").split():
        for word in _WORD.findall(chunk):
            word = word.replace("_", "")
            if word and word.lower() not in {t.lower() for t in terms}:
                terms.append(word)
    return terms[:MAX_TERMS]


def reference(q):
    """The decision reference in the query, written as the register writes it
    (SWG1.1-2026/15), or None."""
    found = _REFERENCE.search(q or "")
    if found is None:
        return None
    code, year, number = found.groups()
    return f"{code.upper()}-{year}/{int(number)}"


def _referenced(q, visible, group_id, source_type):
    """(index row, group) of the decision whose reference the query holds, if the person may
    find it within the filters; it is listed first (the full-text engines split a reference
    differently: PostgreSQL keeps "swg1.1-2026/15" as one word)."""
    ref = reference(q)
    if ref is None or source_type not in (None, "decision"):
        return None
    where = [visible, D.source_type == "decision", func.upper(D.title) == ref]
    if group_id:
        where.append(D.group_id == group_id)
    return db.session.execute(select(D, Group).select_from(D).outerjoin(
        Group, Group.id == D.group_id).where(*where).limit(1)).first()


def _matches(doc_id, matched, clauses):
    """Whether the index row `doc_id` is among the full-text matches."""
    return db.session.scalar(_base(select(D.id), matched).where(D.id == doc_id, *clauses)) \
        is not None


def labels_for(docs):
    """{index row id: TLP label} for the rows among `docs` whose item carries a label other than
    the default: decisions, actions (and their progress notes), meetings (their agenda items;
    minutes their own label) and documents (their own label, else their parent's). One query
    per kind of item, whatever the number of rows."""
    from wg.actions.models import ActionItem
    from wg.decisions.models import Decision
    from wg.documents.models import Document
    from wg.meetings.models import AgendaItem, Meeting
    from wg.sensitivity import DEFAULT, Sensitivity

    by_kind = {"decision": set(), "action": set(), "meeting": set(), "agenda_item": set()}
    kinds = {"decisions.detail": "decision", "actions.detail": "action",
             "meetings.detail": "meeting"}
    documents = {}
    for doc in docs:
        if doc.source_type == "document":
            documents[doc.url_id] = None
        elif doc.url_endpoint in kinds:
            by_kind[kinds[doc.url_endpoint]].add(doc.url_id)
    if documents:
        for row in db.session.execute(select(
                Document.id, Document.sensitivity, Document.parent_type, Document.parent_id)
                .where(Document.id.in_(documents))):
            documents[row.id] = row
            if Sensitivity.parse(row.sensitivity) is None and row.parent_type in by_kind:
                by_kind[row.parent_type].add(row.parent_id)
    found = {}  # (kind, id) -> label
    queries = {"decision": select(Decision.id, Decision.sensitivity),
               "action": select(ActionItem.id, ActionItem.sensitivity),
               "meeting": select(Meeting.id, Meeting.sensitivity, Meeting.minutes_sensitivity),
               "agenda_item": select(AgendaItem.id, Meeting.sensitivity).join(
                   Meeting, Meeting.id == AgendaItem.meeting_id)}
    models = {"decision": Decision, "action": ActionItem, "meeting": Meeting,
              "agenda_item": AgendaItem}
    for kind, ids in by_kind.items():
        if ids:
            for row in db.session.execute(queries[kind].where(models[kind].id.in_(ids))):
                found[kind, row[0]] = Sensitivity.parse(row[1])
                if kind == "meeting":
                    found["minutes", row[0]] = Sensitivity.parse(row[2])
    labels = {}
    for doc in docs:
        if doc.source_type == "document":
            row = documents.get(doc.url_id)
            label = row and (Sensitivity.parse(row.sensitivity)
                             or found.get((row.parent_type, row.parent_id)))
        elif doc.source_type == "minutes":
            label = found.get(("minutes", doc.url_id))
        else:
            label = found.get((kinds.get(doc.url_endpoint), doc.url_id))
        if label is not None and label is not DEFAULT:
            labels[doc.id] = label
    return labels


def pledge_owners(docs):
    """{index row id: Participant} for the documents among `docs` attached to a participant's
    Pledge signature or commitment implementation (they belong to no group: the page names the
    participant instead). At most three queries, none without such a document."""
    from wg.documents.models import Document
    from wg.participants.models import Participant
    from wg.pledge.models import CommitmentImplementation, PledgeSignature

    ids = {doc.url_id: doc.id for doc in docs
           if doc.source_type == "document" and doc.group_id is None}
    if not ids:
        return {}
    parents = {"pledge_signature": PledgeSignature,
               "commitment_implementation": CommitmentImplementation}
    attached = db.session.execute(select(Document.id, Document.parent_type, Document.parent_id)
                                  .where(Document.id.in_(ids),
                                         Document.parent_type.in_(parents))).all()
    owners = {}
    for parent_type, model in parents.items():
        wanted = {row.parent_id for row in attached if row.parent_type == parent_type}
        if wanted:
            for parent_id, participant in db.session.execute(
                    select(model.id, Participant).join(
                        Participant, Participant.id == model.participant_id)
                    .where(model.id.in_(wanted))):
                owners[parent_type, parent_id] = participant
    return {ids[row.id]: owners[row.parent_type, row.parent_id] for row in attached
            if (row.parent_type, row.parent_id) in owners}


def _like(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(D.title.like(f"%{escaped}%", escape="\\"),
               D.body.like(f"%{escaped}%", escape="\\"))


def _matched(terms, dialect):
    """(FTS5 expression or None, where clauses, rank expression), never passing user syntax to
    the full-text engine: FTS5 gets each term as a quoted string, PostgreSQL quoted lexemes."""
    plain = [t for t in terms if not _CJK.search(t) and fold(t)]
    # Neither unicode61 nor 'simple' segments Chinese: CJK terms match as substrings.
    clauses = [_like(t) for t in terms if _CJK.search(t)]
    if not plain:
        return None, clauses, D.updated_at.is_(None)  # no relevance: newest first
    if dialect == "postgresql":
        # parse() keeps letters and digits only, so each quoted lexeme holds no syntax.
        query = func.to_tsquery("simple", " & ".join(f"'{fold(t)}':*" for t in plain))
        tsv = literal_column("search_documents.tsv")
        clauses.append(tsv.op("@@")(query))
        return None, clauses, func.ts_rank(tsv, query).desc()
    expression = " AND ".join('"' + t.replace('"', '""') + '"*' for t in plain)
    return expression, clauses, None


def _fts(expression, ranked):
    """The FTS5 matches as a subquery (id, and the bm25 score only when ranking: computing it
    for tens of thousands of matches costs more than the rest of the search)."""
    score = "bm25(search_fts, 5.0, 1.0)" if ranked else "0.0"
    return (text(f"SELECT rowid AS id, {score} AS score FROM search_fts "
                 "WHERE search_fts MATCH :fts").bindparams(fts=expression)
            .columns(id=Integer(), score=Float()).subquery("m"))


def _base(query, matched):
    return query.join(matched, matched.c.id == D.id) if matched is not None else query


# Matches are counted (in all and by type) up to this many; a word found in more is shown as
# "more than 1,000 results", newest first. Counting every match of a common word ("precursor":
# 90,000 index rows at scale 10) cost more than the rest of the search put together.
COUNT_LIMIT = 1000
# Beyond this many matches the results are listed newest first rather than by relevance.
RANK_LIMIT = COUNT_LIMIT
# The types whose rows grow with the coalition's work; each other type has a few thousand rows
# at most, so a search within it reads its own rows first and lists them newest first.
GROWING_TYPES = ("action", "progress")
# Newest-first pages up to this one are read by walking ix_search_documents_newest from the
# newest row (the walk is as long as the page is deep); later pages sort every match.
WALK_PAGES = 5

# SQLite: the filter columns of search_documents, kept in step by triggers (migration
# 0024_search_speed). Not in db.metadata: only the migration makes it, only the query reads it.
SCOPES = Table("search_scopes", MetaData(), Column("id", Integer, primary_key=True),
               Column("source_type", String), Column("visibility", String),
               Column("group_id", Integer), Column("strict_participant_id", Integer))


def _on_scopes(clause):
    """The same condition on search_scopes' columns instead of search_documents'."""
    def swap(element):
        table = getattr(element, "table", None)
        if isinstance(element, ColumnClause) and table is not None \
                and getattr(table, "name", None) == D.__tablename__:
            return SCOPES.c[element.name]
        return None
    return replacement_traverse(clause, {}, swap)


def _scan(column, visible, matched, clauses, group_id, narrow, source_type=None):
    """select(column) of the matches the person may see. With `narrow` (SQLite, a full-text
    match and no LIKE clause) it reads search_scopes: a match's wide row of search_documents
    costs a page read of its own."""
    T = SCOPES.c if narrow else D
    where = [_on_scopes(visible) if narrow else visible, *([] if narrow else clauses)]
    if group_id:
        where.append(T.group_id == group_id)
    if source_type:
        where.append(T.source_type == source_type)
    source = SCOPES if narrow else D.__table__
    if matched is not None:
        source = source.join(matched, matched.c.id == T.id)
    return select(getattr(T, column)).select_from(source).where(*where), matched


def _facets(visible, matched, clauses, group_id, narrow, dialect):
    """({source_type: number of matches the person may see}, sampled). Counting stops after
    COUNT_LIMIT matches: then `sampled` is true and the counts are only those of the first
    COUNT_LIMIT (on SQLite the most recently indexed); the page then offers every type."""
    query, matched = _scan("source_type", visible, matched, clauses, group_id, narrow)
    if matched is not None and dialect == "sqlite":
        query = query.order_by(matched.c.id.desc())  # FTS5 reads its rowids backwards
    found = db.session.scalars(query.limit(COUNT_LIMIT + 1)).all()
    return dict(Counter(found[:COUNT_LIMIT])), len(found) > COUNT_LIMIT


def _count(visible, matched, clauses, group_id, narrow, source_type):
    """(matches of one type the person may see, capped), counted up to COUNT_LIMIT."""
    query, _ = _scan("id", visible, matched, clauses, group_id, narrow, source_type)
    n = db.session.scalar(select(func.count()).select_from(
        query.limit(COUNT_LIMIT + 1).subquery()))
    return min(n, COUNT_LIMIT), n > COUNT_LIMIT


def search(person, q, source_type=None, group_id=None, page=1):
    terms = parse(q)
    if not terms:
        return Results()
    page = max(page, 1)
    dialect = db.session.get_bind().dialect.name
    expression, clauses, rank = _matched(terms, dialect)
    plain = _fts(expression, False) if expression else None
    narrow = plain is not None and not clauses
    visible = permissions.search_visibility_clause(person)
    facets, sampled = _facets(visible, plain, clauses, group_id, narrow, dialect)
    capped = sampled
    where = [visible, *clauses]
    if group_id:
        where.append(D.group_id == group_id)
    if source_type:
        where.append(D.source_type == source_type)
    total = sum(n for t, n in facets.items() if not source_type or t == source_type)
    pinned = _referenced(q, visible, group_id, source_type)
    if pinned is not None and not _matches(pinned[0].id, plain, clauses):
        facets["decision"] = facets.get("decision", 0) + 1
        total += 1
    few = narrow and source_type not in (None, *GROWING_TYPES)
    if few:
        # One of the types with few rows (SQLite): that type's rows are read first (by its
        # index) and each is looked up among the matches, newest first, whether the word is
        # found a few times or everywhere (ranking would score every match of the word).
        typed = [visible, D.source_type == source_type, D.id.in_(select(plain.c.id))]
        if group_id:
            typed.append(D.group_id == group_id)
        ids = db.session.scalars(select(D.id).where(*typed).order_by(
            D.updated_at.desc(), D.id.desc()).limit(max(COUNT_LIMIT, page * PER_PAGE) + 1)).all()
        total, capped = min(len(ids), COUNT_LIMIT), len(ids) > COUNT_LIMIT
    elif capped and source_type:
        # The sample says nothing certain about one type: count that type alone, up to the cap.
        total, capped = _count(visible, plain, clauses, group_id, narrow, source_type)
    elif capped:
        total = COUNT_LIMIT
    if not total:
        return Results([], 0, facets, sampled=sampled)
    newest_first = sampled or total > RANK_LIMIT
    offset = (page - 1) * PER_PAGE
    if few:
        shown = ids[(page - 1) * PER_PAGE:page * PER_PAGE + 1]
        query = (select(D, Group).select_from(D).outerjoin(Group, Group.id == D.group_id)
                 .where(D.id.in_(shown)).order_by(D.updated_at.desc(), D.id.desc()))
        offset = 0  # `shown` is the page already
    elif newest_first and page <= WALK_PAGES and (narrow or dialect == "postgresql"):
        # Newest first, read from the newest row down ix_search_documents_newest until the
        # page is full, instead of sorting every match (the same order as the sorted query
        # below: rows without a date last).
        query = select(D, Group).select_from(D).outerjoin(Group, Group.id == D.group_id)
        if dialect == "postgresql":
            query = query.where(*where).order_by(D.updated_at.desc().nulls_last(), D.id.desc())
        else:
            # SQLite sorts NULL lowest, so `DESC` puts them last. The `+ 0` and `|| ''` keep
            # it from driving the query by another index (the matches' ids, the group, the
            # type) and then sorting every match.
            walk = [visible, (D.id + 0).in_(select(plain.c.id))]
            if group_id:
                walk.append(D.group_id + 0 == group_id)
            if source_type:
                walk.append(D.source_type.concat("") == source_type)
            query = query.where(*walk).order_by(D.updated_at.desc(), D.id.desc())
    else:
        matched = plain
        if newest_first:
            rank = D.updated_at.is_(None)  # newest first
        elif expression:
            matched = _fts(expression, True)
            rank = matched.c.score
        query = (_base(select(D, Group).select_from(D), matched)
                 .outerjoin(Group, Group.id == D.group_id).where(*where)
                 .order_by(rank, D.updated_at.desc(), D.id.desc()))
    rows = db.session.execute(query.limit(PER_PAGE + 1).offset(offset)).all()
    if pinned is not None:
        # The referenced decision leads the first page and is not repeated on any page.
        rows = [r for r in rows if r[0].id != pinned[0].id]
        if page == 1:
            rows.insert(0, tuple(pinned))
    hits = [(doc, group, snippet(doc, terms)) for doc, group in rows[:PER_PAGE]]
    return Results(hits, total, facets, capped, sampled, has_next=len(rows) > PER_PAGE)


def snippet(doc, terms, width=160):
    """A short excerpt of the body around the first term, cut between words where the text
    has spaces, terms marked, everything escaped."""
    body = " ".join((doc.body or "").split())
    folded = fold(body)
    positions = [p for p in (folded.find(fold(t)) for t in terms) if p >= 0]
    start = 0
    if positions:
        first = min(positions)
        if len(folded) != len(body):  # a character folds to more or fewer ("…", "ﬁ", "İ")
            first = _original_index(body, first)
        start = max(0, first - width // 3)
        if start > 0 and not body[start - 1].isspace():
            # Start at the next word (not mid-word: "…inst the routes"); a text without spaces
            # there (Chinese, a long URL) keeps its cut.
            space = body.find(" ", start, first)
            if space >= 0:
                start = space + 1
    end = start + width
    if end < len(body) and not body[end].isspace():
        # End after a whole word too, when a space lies in the excerpt's last third.
        space = body.rfind(" ", start + width * 2 // 3, end)
        if space >= 0:
            end = space
    marked = highlight(body[start:end], terms)
    return Markup("…" if start > 0 else "") + marked + Markup("…" if end < len(body) else "")


def _original_index(text, folded_index):
    """Where in `text` the character folded to position `folded_index` of fold(text) is (a
    binary search over folded prefixes: the text may be a long document's)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(fold(text[:middle])) <= folded_index:
            low = middle
        else:
            high = middle - 1
    return low


def _folded_with_owners(value):
    """fold(value) and, for each of its characters, the index of the character of `value` it
    comes from (a character may fold to several, or to none: a combining accent)."""
    folded = fold(value)
    if len(folded) == len(value):
        return folded, range(len(value))
    parts, owners = [], []
    for index, ch in enumerate(value):
        folded = _fold_char(ch)
        parts.append(folded)
        owners.extend([index] * len(folded))
    return "".join(parts), owners


_FOLDED_CHARS = {}


def _fold_char(ch):
    if ch < "\x80":
        return ch.lower()
    folded = _FOLDED_CHARS.get(ch)
    if folded is None:
        folded = fold(ch)
        if len(_FOLDED_CHARS) < 4096:  # bounded, whatever the texts hold
            _FOLDED_CHARS[ch] = folded
    return folded


def highlight(value, terms):
    """Escape everything, then mark each term, accent- and case-insensitively: markers are
    placed on the raw text first and turned into <mark> after escaping."""
    value = (value or "").replace(START, "").replace(STOP, "")
    folded, owners = _folded_with_owners(value)
    marks = [False] * len(value)
    for term in terms:
        t = fold(term)
        if not t:
            continue
        for found in re.finditer(re.escape(t), folded):
            for i in range(found.start(), found.end()):
                marks[owners[i]] = True
    for i in range(1, len(value)):  # an accent written apart goes with its letter
        if not marks[i] and marks[i - 1] and not _fold_char(value[i]):
            marks[i] = True
    out, inside = [], False
    for ch, marked in zip(value, marks, strict=True):
        if marked != inside:
            out.append(START if marked else STOP)
            inside = marked
        out.append(ch)
    if inside:
        out.append(STOP)
    safe = str(escape("".join(out)))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))
