"""Message catalogues for documents, outside any request.

Why: a dossier, a letter or an e-mail is written in the language of its reader (the document's
language, the recipient's account), not in the language of the person who clicks. The pure
modules that write them receive a :class:`Translator` for that language and stay free of
Flask; the catalogues are the same ``.po``/``.mo`` files the interface uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

from consortium.formatting import format_number

LANGUAGES: tuple[str, ...] = ("en", "fr")
PACKAGE = Path(__file__).resolve().parent


def supported(lang: str | None) -> str:
    """``lang`` if the product speaks it, else English."""
    return lang if lang in LANGUAGES else "en"


def catalogue_directories() -> list[Path]:
    """The shared catalogue first, then each area's (the order Flask-Babel is given too)."""
    return [PACKAGE / "translations", *sorted(PACKAGE.glob("*/translations"))]


@cache
def _catalogue(lang: str) -> NullTranslations:
    """All areas' catalogues for ``lang`` merged into one (read once per process)."""
    merged: NullTranslations = NullTranslations()
    for directory in catalogue_directories():
        found = Translations.load(str(directory), [lang])
        if not isinstance(found, Translations):
            continue
        if isinstance(merged, Translations):
            merged.merge(found)
        else:
            merged = found  # the first catalogue brings the language's plural rule
    return merged


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext for one language, with ``%(name)s`` parameters filled in.

    ``ngettext`` passes the count as ``num``, already formatted for the language
    (``"1 200"`` in French), like Flask-Babel's ``ngettext`` does.
    """

    lang: str
    catalogue: NullTranslations

    def gettext(self, message: str, **params: object) -> str:
        text = self.catalogue.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params: object) -> str:
        text = self.catalogue.ngettext(singular, plural, num)
        return text % {"num": format_number(num, self.lang), **params}

    def pgettext(self, context: str, message: str, **params: object) -> str:
        """A word whose translation depends on where it stands (a table row, a label)."""
        text = self.catalogue.pgettext(context, message)
        return text % params if params else text

    def translate(self, message: str, params: dict | None = None) -> str:
        """A message marked elsewhere with ``N_`` (a template and its parameters)."""
        text = self.catalogue.gettext(message)
        return text % params if params else text


def translator(lang: str | None) -> Translator:
    """The translator for a document or message written in ``lang``."""
    code = supported(lang)
    return Translator(code, _catalogue(code) if code != "en" else NullTranslations())


# --------------------------------------------------------------------------- French articles

# French puts the definite article before an organisation named by a common noun ("la Ville
# de Marseille", "le Conseil départemental", "l'Université d'Aix-Marseille") and none before a
# proper name or an acronym ("Réemploi Bâtiment Sud", "ADEME"). The first word of the name
# decides; these are the nouns French organisation names start with, with their gender.
_FEMININE_NOUNS = frozenset(
    [
        "agence",
        "association",
        "banque",
        "caisse",
        "chambre",
        "communauté",
        "commune",
        "compagnie",
        "confédération",
        "coopérative",
        "direction",
        "école",
        "entreprise",
        "fabrique",
        "fédération",
        "fondation",
        "maison",
        "métropole",
        "mission",
        "mutuelle",
        "préfecture",
        "région",
        "régie",
        "république",
        "société",
        "station",
        "université",
        "ville",
    ]
)
_MASCULINE_NOUNS = frozenset(
    [
        "atelier",
        "bureau",
        "cabinet",
        "centre",
        "cercle",
        "club",
        "collectif",
        "collège",
        "comité",
        "commissariat",
        "conseil",
        "conservatoire",
        "consortium",
        "département",
        "établissement",
        "espace",
        "groupement",
        "groupe",
        "institut",
        "laboratoire",
        "lycée",
        "ministère",
        "musée",
        "observatoire",
        "office",
        "parc",
        "pôle",
        "port",
        "réseau",
        "secrétariat",
        "service",
        "syndicat",
        "théâtre",
    ]
)
_PLURAL_NOUNS = frozenset(["amis", "ateliers", "compagnons", "jardins", "restos"])
_CONTRACTIONS = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
_VOWEL_START = "aeiouyhâàéèêëîïôöûùüœ"


def french_article(name: str) -> str:
    """``"la"``, ``"le"``, ``"l'"``, ``"les"`` or ``""`` before an organisation's name."""
    words = name.split()
    if not words or words[0].isupper():
        return ""
    first = words[0].lower().strip("’'")
    if first in _PLURAL_NOUNS:
        return "les"
    if first not in _FEMININE_NOUNS and first not in _MASCULINE_NOUNS:
        return ""
    if first[0] in _VOWEL_START:
        return "l’"
    return "la" if first in _FEMININE_NOUNS else "le"


def organisation_phrase(name: str, lang: str, preposition: str = "") -> str:
    """An organisation's name as a sentence needs it: French adds the article and contracts
    it with ``de``/``à`` ("du Conseil", "de la Ville", "à l'Université"); English, nothing."""
    if lang != "fr" or not name:
        return name
    article = french_article(name)
    if not article:
        if preposition == "de" and name[0].lower() in _VOWEL_START:
            return f"d’{name}"
        return f"{preposition} {name}".strip()
    contracted = _CONTRACTIONS.get((preposition, article))
    if contracted:
        return f"{contracted} {name}"
    joined = f"{article}{name}" if article.endswith("’") else f"{article} {name}"
    return f"{preposition} {joined}".strip()


def sentence_start(text: str) -> str:
    """``text`` with its first letter capitalised, for a phrase that opens a sentence."""
    return text[:1].upper() + text[1:]
