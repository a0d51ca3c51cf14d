"""The strings of the code, extracted as `make messages` does, and the committed catalogs.

Shared by the catalog checks and the page tests (which look for English msgids left on a page).
"""

import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "wg" / "translations"
TRANSLATED = ["fr", "es", "ar", "ru", "zh"]  # English is the source language: no catalog needed

# One %-format placeholder as Python and Jinja's newstyle gettext read them; a "%" that starts
# none of these makes the formatting fail (a 500), so it counts as a placeholder of its own.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[diouxXeEfFgGcrsa%])"
    r"|%(?P<bad>.?)"
)


def extract_args():
    """The `pybabel extract` arguments of the Makefile's `messages` target, so the test extracts
    exactly what a developer's `make messages` would."""
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^\s*\$\(BIN\)/pybabel extract (.+)$", makefile, re.M)
    assert match, "the Makefile's `messages` target no longer runs `$(BIN)/pybabel extract ...`"
    args = shlex.split(match.group(1))
    out = args.index("-o")
    return args[:out] + args[out + 2:]


def extract(tmp_dir):
    """The template (.pot) of every string in the code and templates, as a Babel Catalog."""
    pybabel = Path(sys.executable).parent / "pybabel"
    command = [str(pybabel) if pybabel.exists() else "pybabel", "extract", *extract_args()]
    pot = Path(tmp_dir) / "messages.pot"
    command[2:2] = ["-o", str(pot)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr[-3000:]}"
    warnings = [line for line in result.stderr.splitlines()
                if not line.startswith(("extracting messages from", "writing PO template"))]
    assert not warnings, "pybabel extract warned:\n" + "\n".join(warnings)
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert len([m for m in catalog if m.id]) > 0, "pybabel extract found no strings"
    return catalog


def po_path(language):
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


@cache
def catalog(language):
    """The committed catalog of a language (a Babel Catalog), or None when there is none."""
    path = po_path(language)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=language, abort_invalid=True)


def placeholders(text):
    """The %-placeholders of a string, in order: ("name", "s") for %(name)s, ("", "d") for %d,
    ("", "%") for %%, ("?", char) for a stray % that is no placeholder at all."""
    found = []
    for m in PLACEHOLDER.finditer(text):
        if m.group("kind"):
            kind = m.group("kind")
            # %s, %r and %a take any value; the numeric conversions each other's.
            kind = kind if kind in "%c" else ("s" if kind in "sra" else "d")
            found.append((m.group("name") or "", kind))
        else:
            found.append(("?", m.group("bad")))
    return found


def key(message):
    """A message's identity in a catalog: its msgid (singular for plurals) and context."""
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return msgid, message.context
