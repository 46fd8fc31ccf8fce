"""Word fields (PAGE, NUMPAGES...) for the documents python-docx builds: the letters of
commitment and the dossier share this one writer."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph


def add_field(
    paragraph: Paragraph, instruction: str, placeholder: str = "1", *, dirty: bool = False
) -> None:
    """Append a complex field (fldChar begin/separate/end) with a cached result; ``dirty``
    asks Word and LibreOffice to recompute it when the document opens."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if dirty and kind == "begin":
            element.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")
