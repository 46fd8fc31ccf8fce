"""The directory's demo loader fills the derived search fields, idempotently."""

from sqlalchemy import select

from consortium.demo import directory as demo_directory
from consortium.demo.load import load_demo
from consortium.directory.models import Organisation
from consortium.extensions import db


def test_demo_loader_sets_name_key_and_search_text(app):
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        orgs = {o.acronym or o.name: o for o in db.session.scalars(select(Organisation))}
        for _ in range(2):
            demo_directory.load(proposals={}, orgs=orgs, users={})
        db.session.commit()
        rbs = orgs["RBS"]
        assert rbs.name_key == "reemploi batiment sud"
        assert rbs.search_text.startswith("reemploi batiment sud rbs marseille")
        version = rbs.version
        demo_directory.load(proposals={}, orgs=orgs, users={})
        db.session.commit()
        assert rbs.version == version
