"""The pure live-capture helpers."""

from hypothesis import given
from hypothesis import strategies as st

from consortium.workshops import capture
from consortium.workshops.capture import Reference, StepSummary


def test_split_references_reads_ids_labels_acronyms_and_names():
    value = "Réemploi Bâtiment Sud (RBS) #12; VDM, amp\n#7;  42 ; rbs"
    assert capture.split_references(value) == [
        Reference(raw="Réemploi Bâtiment Sud (RBS) #12", id=12),
        Reference(raw="VDM", text="VDM"),
        Reference(raw="amp", text="amp"),
        Reference(raw="#7", id=7),
        Reference(raw="42", id=42),
        Reference(raw="rbs", text="rbs"),
    ]


def test_split_references_keeps_commas_inside_a_label_with_an_id():
    assert capture.split_references(["Ateliers, Chantiers et Cie #3", "", "#3"]) == [
        Reference(raw="Ateliers, Chantiers et Cie #3", id=3)
    ]


def test_split_references_drops_duplicates_and_blank_tokens():
    assert capture.split_references(" ; ,, ; VDM; vdm ; ") == [Reference(raw="VDM", text="VDM")]
    assert capture.split_references(None) == []


@given(st.text(max_size=200))
def test_split_references_never_fails(value):
    for reference in capture.split_references(value):
        assert (reference.id is None) != (reference.text is None)


def test_reference_label_round_trips():
    label = capture.reference_label("Ville de Marseille", "VDM", 5)
    assert label == "Ville de Marseille (VDM) #5"
    assert capture.split_references(label) == [Reference(raw=label, id=5)]
    assert capture.reference_label("Sans sigle", None, 9) == "Sans sigle #9"


def test_split_tags():
    assert capture.split_tags(" #réemploi, BTP; btp,,  site  logistique ") == [
        "réemploi",
        "BTP",
        "site logistique",
    ]
    assert capture.check_tags(["a"] * 13) == ("Give at most %(max)d tags.", {"max": 12})
    assert capture.check_tags(["x" * 41]) == (
        "A tag has at most %(max)d characters: “%(tag)s…”.",
        {"max": 40, "tag": "x" * 20},
    )
    assert capture.check_tags(["ok"]) is None


def test_check_subkind():
    assert capture.check_subkind("need", "money") is None
    assert capture.check_subkind("cooperation_rule", "governance") is None
    assert capture.check_subkind("need", "governance") == (
        "This sub-type does not fit this kind of output.",
        {},
    )
    assert capture.check_subkind("vision", "money") == (
        "Only needs and cooperation rules take a sub-type.",
        {},
    )
    assert capture.check_subkind("vision", None) is None


def test_check_months():
    assert capture.check_months(3, 12, 48) == {}
    assert capture.check_months(None, None, 48) == {}
    assert capture.check_months(12, 3, 48) == {
        "end_month": (
            "The end month (M%(end)d) comes before the start month (M%(start)d).",
            {"end": 3, "start": 12},
        )
    }
    assert capture.check_months(0, 60, 48) == {
        "start_month": ("Months are counted from 1 (the first month).", {}),
        "end_month": (
            "The proposal lasts %(duration)d months; choose a month from 1 to %(duration)d.",
            {"duration": 48},
        ),
    }


def test_next_code():
    assert capture.next_code([]) == "A1"
    assert capture.next_code(["A1", "a7", "WP2", "A03", ""]) == "A8"


def test_narrowing_counts_distinct_organisations_per_step_in_method_order():
    workshops = [
        {"step": "actions_needs", "organisation_ids": [1, 2, 3], "people": 6},
        {"step": "vision", "organisation_ids": [1, 2, 3, 4, 5], "people": 9},
        {"step": "vision", "organisation_ids": [5, 6, 7], "people": 4},
        {"step": "dossier_framework", "organisation_ids": [1, 2], "people": 3},
    ]
    assert capture.narrowing(workshops) == [
        StepSummary("vision", 2, 7, 13),
        StepSummary("actions_needs", 1, 3, 6),
        StepSummary("dossier_framework", 1, 2, 3),
    ]


def test_parse_person():
    assert capture.parse_person(" Nadia  Benali ; chargée de mission ; VDM ") == (
        "Nadia Benali",
        "chargée de mission",
        "VDM",
    )
    assert capture.parse_person("Paul") == ("Paul", None, None)
    assert capture.parse_person("Paul;;RBS") == ("Paul", None, "RBS")
