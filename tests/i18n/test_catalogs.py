"""Every string of the code is translated in each catalog, with its placeholders kept, and compiled.

The strings are extracted afresh (the Makefile's own `pybabel extract` options) and compared with
wg/translations/<lang>/LC_MESSAGES/messages.po for French, Spanish, Arabic, Russian and Chinese.
"""

from collections import Counter

import pytest
from babel.messages.plurals import get_plural

from tests.i18n.catalogs import ROOT, TRANSLATED, catalog, key, placeholders, po_path

pytestmark = pytest.mark.needs_catalogs

SHOW = 40  # offending strings listed per failure


def _show(msgid, context=None):
    text = msgid if len(msgid) <= 90 else msgid[:87] + "..."
    return f"{text!r}" + (f" (context {context!r})" if context else "")


def _report(language, problem, lines, advice):
    more = f"\n  ... and {len(lines) - SHOW} more" if len(lines) > SHOW else ""
    return (f"{language}: {len(lines)} {problem} in {po_path(language).relative_to(ROOT)}:\n  "
            + "\n  ".join(lines[:SHOW]) + more + f"\n{advice}")


def _catalog_or_fail(language):
    found = catalog(language)
    if found is None:
        pytest.fail(f"{language}: no catalog {po_path(language).relative_to(ROOT)}. Create it with "
                    f"`make messages` then `.venv/bin/pybabel init -i wg/translations/messages.pot "
                    f"-d wg/translations -l {language}`, and translate every entry.", pytrace=False)
    return found


def _forms(message):
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_translates_every_string_of_the_code(language, template):
    po = _catalog_or_fail(language)
    expected_forms = get_plural(language).num_plurals
    if po.num_plurals != expected_forms:
        pytest.fail(f"{language}: the catalog's Plural-Forms header says {po.num_plurals} forms, "
                    f"CLDR says {expected_forms}: fix the header (pybabel init writes the right one)",
                    pytrace=False)
    if po.fuzzy:
        pytest.fail(f"{language}: the catalog's header is marked fuzzy, so `pybabel compile` skips "
                    "the whole catalog: remove '#, fuzzy' above the first msgid", pytrace=False)
    entries = {key(m): m for m in po if m.id}
    missing, fuzzy, empty = [], [], []
    for wanted in (m for m in template if m.id):
        found = entries.get(key(wanted))
        if found is None or wanted.pluralizable != found.pluralizable:
            missing.append(_show(*key(wanted)))
        elif found.fuzzy:
            fuzzy.append(_show(*key(wanted)))
        elif not all(form.strip() for form in _forms(found)) or len(_forms(found)) != (
                po.num_plurals if found.pluralizable else 1):
            empty.append(_show(*key(wanted)))
    problems = []
    if missing:
        problems.append(_report(language, "strings of the code missing", missing,
                                "Run `make messages` to merge them in, then translate them."))
    if fuzzy:
        problems.append(_report(language, "fuzzy entries (guesses nobody checked; not shown to "
                                "anyone)", fuzzy, "Check each translation and drop its '#, fuzzy'."))
    if empty:
        problems.append(_report(language, "entries without a translation (for plurals: in every "
                                "form)", empty, "Translate them."))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def _placeholder_problem(msgids, form, plural):
    """What is wrong with one translated form's placeholders, or None.

    A singular translation has the placeholders of its msgid, no more, no fewer. In a plural
    every form has those of the plural msgid, except that a form may spell the count out in words
    (Arabic "two changes") rather than show %(num)d; no form may bring a placeholder of its own.
    """
    wanted = placeholders(msgids[1] if plural else msgids[0])
    if any(name == "?" for msgid in msgids for name, _ in placeholders(msgid)):
        return None  # a msgid with a bare % is never %-formatted (it would fail in English too)
    got = placeholders(form)
    stray = [p for p in got if p[0] == "?"]
    if stray:
        return f"a '%' that is not a placeholder (write %% for a percent sign): {form!r}"
    if plural:
        allowed = set(placeholders(msgids[0])) | set(wanted)
        extra = sorted(set(got) - allowed)
        dropped = sorted({p for p in wanted if p not in got and p[0] != "num"})
        if ("", "d") in wanted and ("", "d") not in got:
            dropped.append(("", "d"))
    else:
        if any(not name for name, kind in wanted if kind != "%") and [
                p for p in got if p[1] != "%"] != [p for p in wanted if p[1] != "%"]:
            return (f"positional placeholders changed ({_names(wanted)} → {_names(got)}): "
                    f"{form!r}")
        extra = sorted((Counter(got) - Counter(wanted)).elements())
        dropped = sorted((Counter(wanted) - Counter(got)).elements())
    if extra or dropped:
        return ("placeholders " + ", ".join(
            part for part in (f"added {_names(extra)}" if extra else "",
                              f"dropped {_names(dropped)}" if dropped else "") if part)
                + f": {form!r}")
    return None


def _names(found):
    return " ".join(f"%({name}){kind}" if name else ("%%" if kind == "%" else f"%{kind}")
                    for name, kind in found) or "none"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language, template):
    po = _catalog_or_fail(language)
    bad = []
    for message in (m for m in po if m.id):
        msgids = list(message.id) if message.pluralizable else [message.id]
        for index, form in enumerate(_forms(message)):
            if not form:
                continue  # the completeness test reports it
            problem = _placeholder_problem(msgids, form, message.pluralizable)
            if problem:
                label = f"[{index}] " if message.pluralizable else ""
                bad.append(f"{_show(*key(message))} {label}{problem}")
    if bad:
        pytest.fail(_report(language, "translations whose placeholders differ from the English",
                            sorted(set(bad)), "A page or e-mail would fail or lose a value: keep "
                            "each %(name)s exactly as in the msgid (names are not translated)."),
                    pytrace=False)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_is_newer_than_its_source(language):
    po = po_path(language)
    mo = po.with_suffix(".mo")
    if not po.exists():
        pytest.fail(f"{language}: no catalog {po.relative_to(ROOT)}", pytrace=False)
    if not mo.exists():
        pytest.fail(f"{language}: {mo.relative_to(ROOT)} is not compiled, so pages stay English: "
                    "run `make translations` (`make install` and `make test` do)", pytrace=False)
    if mo.stat().st_mtime < po.stat().st_mtime:
        pytest.fail(f"{language}: {mo.relative_to(ROOT)} is older than its .po, so pages show "
                    "old translations: run `make translations` (`make test` does)", pytrace=False)
