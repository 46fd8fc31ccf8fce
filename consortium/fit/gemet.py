"""Compile GEMET's SKOS RDF (English and French files) into the compact file the fit area loads.

GEMET, the European Environment Agency's multilingual environmental thesaurus, is published as
one RDF/XML file per language sharing concept URIs. The fit area needs only each concept's
English and French labels and its broader links, so this module turns the two files (5 MB) into
``data/gemet/gemet.json.gz`` (about 150 kB) once, when the shipped copy is refreshed::

    python -m consortium.fit.gemet ../shared/data/gemet

The RDF is parsed with defusedxml (the files come from outside). Pure module.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from defusedxml import ElementTree

COMPILED_PATH = Path(__file__).resolve().parent / "data" / "gemet" / "gemet.json.gz"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_SKOS = "{http://www.w3.org/2004/02/skos/core#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_URI_PREFIX = "http://www.eionet.europa.eu/gemet/concept/"


def _concept_id(uri: str) -> str:
    return uri.removeprefix(_URI_PREFIX)


def read_rdf(path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Concept id -> (preferred label, ids of its broader concepts) from one language's file."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for concept in ElementTree.parse(path).getroot().iter(f"{_SKOS}Concept"):
        label = concept.findtext(f"{_SKOS}prefLabel", default="").strip()
        broader = tuple(
            _concept_id(b.get(f"{_RDF}resource", "")) for b in concept.iter(f"{_SKOS}broader")
        )
        out[_concept_id(concept.get(f"{_RDF}about", ""))] = (label, broader)
    return out


def compile_gemet(source_dir: Path) -> dict[str, object]:
    """The compact document: ``{"concepts": [[id, en, fr, [broader ids]], ...]}``."""
    english = read_rdf(source_dir / "gemet-en.rdf")
    french = read_rdf(source_dir / "gemet-fr.rdf")
    kept = {cid for cid, (en, _) in english.items() if en and french.get(cid, ("", ()))[0]}
    rows = []
    for cid in sorted(kept, key=int):
        en, broader = english[cid]
        rows.append([cid, en, french[cid][0], [b for b in broader if b in kept]])
    return {
        "source": "GEMET - GEneral Multilingual Environmental Thesaurus, European Environment "
        "Agency (Eionet), https://www.eionet.europa.eu/gemet",
        "concepts": rows,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m consortium.fit.gemet DIRECTORY_WITH_gemet-en.rdf_AND_gemet-fr.rdf")
        return 2
    document = compile_gemet(Path(argv[0]))
    COMPILED_PATH.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(COMPILED_PATH, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(document['concepts'])} concepts written to {COMPILED_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
