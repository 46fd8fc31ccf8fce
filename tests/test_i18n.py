"""The French catalogue is complete: every marked string of the code and templates has a
French translation in one of the areas' catalogues, and the compiled .mo files are current."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
    "NP_": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHODS = [("consortium/**.py", "python"), ("templates/**.html", "jinja2")]
JINJA_OPTIONS = {"extensions": "jinja2.ext.do"}


def marked_messages() -> dict[str, str]:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": JINJA_OPTIONS}
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def po_files():
    return sorted((ROOT / "consortium").glob("**/translations/fr/LC_MESSAGES/messages.po"))


def french_catalogue() -> dict[str, object]:
    merged = {}
    for path in po_files():
        with path.open("rb") as handle:
            for message in read_po(handle):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if (
                    msgid
                    and message.string
                    and (not isinstance(message.string, tuple) or all(message.string))
                ):
                    merged[msgid] = message.string
    return merged


def test_every_marked_string_has_a_french_translation():
    catalogue = french_catalogue()
    missing = {msgid: where for msgid, where in marked_messages().items() if msgid not in catalogue}
    assert missing == {}


def test_one_message_has_one_french_translation_across_areas():
    # The interface and the documents merge every area's catalogue into one: two areas giving
    # the same English text different French would make the result depend on their order.
    translations: dict[tuple[str, str | None], set] = {}
    for path in po_files():
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string and not message.fuzzy:
                    key = (str(message.id), message.context)
                    translations.setdefault(key, set()).add(str(message.string))
    assert {key: found for key, found in translations.items() if len(found) > 1} == {}


@pytest.mark.parametrize("po_path", po_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_is_up_to_date(po_path):
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    with po_path.open("rb") as handle:
        source = {key(m.id): key(m.string) for m in read_po(handle) if m.id and m.string}
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run: flask --app consortium translate compile"
    with mo_path.open("rb") as handle:
        compiled = {key(m.id): key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\((\w+)\)[sdfr]")
    broken = {}
    for msgid, string in french_catalogue().items():
        for original, translated in zip(
            msgid if isinstance(msgid, tuple) else (msgid,),
            string if isinstance(string, tuple) else (string,),
            strict=False,
        ):
            if set(pattern.findall(original)) != set(pattern.findall(translated)):
                broken[original] = translated
    assert broken == {}


def french_spacing_faults(text: str) -> list[str]:
    """Places where French typography wants a space that cannot break: before a colon and
    inside guillemets and before a percent sign (no-break space), before ; ? ! (narrow no-break
    space). A plain space there lets a line, a table cell or a Word paragraph start with the punctuation."""
    import re

    rules = (
        (r"\S[ \u202f]:|\S:(?=\s)", "a no-break space before ':'"),
        (r"\S[ \u202f]%(?!\()", "a no-break space before '%'"),
        (r"(?<![\s«])[ \u00a0][;?!]", "a narrow no-break space before ';', '?' or '!'"),
        (r"«[ \u202f]|«(?=\S)|\S[ \u202f]»|\S(?<!\u00a0)»", "no-break spaces inside « »"),
    )
    return [
        f"{wanted}: {text[max(0, hit.start() - 20) : hit.end() + 5]!r}"
        for pattern, wanted in rules
        for hit in re.finditer(pattern, text)
    ]


@pytest.mark.parametrize(
    ("text", "faults"),
    [
        ("Effectif\u00a0: 8", 0),
        ("Effectif : 8", 1),
        ("Effectif: 8", 1),
        ("Oui\u202f; non\u202f? Bien\u202f!", 0),
        ("Oui ; non ? Bien !", 3),
        (" ; ", 1),
        ("« Aucun projet »", 2),
        ("«\u00a0Aucun projet\u00a0»", 0),
        ("https://example.org/a:b", 0),
        ("soit 12 %% du budget", 1),
        ("soit 12\u00a0%% de %(name)s", 0),
    ],
)
def test_the_french_spacing_rule(text, faults):
    assert len(french_spacing_faults(text)) == faults


def test_french_translations_keep_punctuation_on_its_line():
    # "M12: …" is the milestone syntax the workshop importer reads, quoted as typed.
    faults = {}
    for msgid, string in french_catalogue().items():
        for translated in string if isinstance(string, tuple) else (string,):
            found = french_spacing_faults(translated.replace("M12:", "M12"))
            if found:
                faults[str(msgid)] = found
    assert faults == {}


def test_translations_follow_the_request_and_a_locale_change():
    """gettext answers in the request's language, and follows a locale changed during the
    request (the switcher's refresh, force_locale)."""
    from flask import session
    from flask_babel import force_locale, gettext, refresh

    from consortium import create_app

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert gettext("Save") == "Enregistrer"
        with force_locale("en"):
            assert gettext("Save") == "Save"
        assert gettext("Save") == "Enregistrer"
        session["lang"] = "en"
        refresh()
        assert gettext("Save") == "Save"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Save") == "Save"  # a new request starts afresh


@pytest.mark.parametrize(
    ("accept", "chosen", "expected"),
    [
        ("fr-FR,fr;q=0.9", None, "fr"),
        ("fr-CA", None, "fr"),
        ("de-DE", None, "en"),
        ("fr", "en", "en"),
        ("en", "fr", "fr"),
    ],
)
def test_reader_language_is_the_interface_language(accept, chosen, expected):
    """Every page, reason and number formatter asks ``reader_language`` which language to
    write in: the switcher's choice, else the browser's, else English."""
    from flask import session
    from flask_babel import refresh

    from consortium import create_app
    from consortium.web.locale import reader_language

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.test_request_context("/", headers={"Accept-Language": accept}):
        if chosen:
            session["lang"] = chosen
            refresh()
        assert reader_language() == expected
