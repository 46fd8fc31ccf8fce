"""An app with the standard world and three directory organisations that are in the
Horizon Europe sample: IRD (by PIC), Aix-Marseille Université (by name and city) and
Protisvalor (a name the open data extends: review)."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "opendata"
HE_SAMPLE = DATA / "cordis_he_organization_marseille.csv"


@pytest.fixture
def opendata_world(app, world):
    from consortium.extensions import db
    from tests import factories

    with app.app_context():
        ird = factories.make_org(
            "Institut de recherche pour le développement",
            acronym="IRD",
            pic="999513803",
            org_type="research",
        )
        amu = factories.make_org("Aix-Marseille Université", acronym="AMU", org_type="research")
        protisvalor = factories.make_org("Protisvalor", org_type="sme")
        db.session.commit()
        return {**world, "ird": ird.id, "amu": amu.id, "protisvalor": protisvalor.id}


def import_file(app, path, **kwargs):
    from consortium.extensions import db
    from consortium.opendata import services

    with app.app_context():
        summary = services.import_open_data(path, actor=None, **kwargs)
        db.session.commit()
        return summary
