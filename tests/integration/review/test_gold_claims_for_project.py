"""gold_claims_for_project: every gold claim of the project in one query, for agreement against gold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.services import project_create
from annotator.review.selectors import gold_claims_for_project
from annotator.review.services import adjudication_save
from tests.integration.review.builders import import_article

pytestmark = pytest.mark.django_db

FIELDS = {"attribution": "authorial", "perspective": "chinese", "stance": "favor", "target": ""}


def test_gold_claims_come_with_passage_document_and_speaker_in_one_query(project, members):
    passages = import_article(project, "Report", 3)
    other = project_create(name="Other", slug="other")
    elsewhere = import_article(other, "Elsewhere", 1)
    for passage, spans in [
        (passages[2], [(0, 9)]),
        (passages[0], [(10, 20), (0, 9)]),
        (elsewhere[0], [(0, 9)]),
    ]:
        adjudication_save(
            passage=passage,
            reviewer=members["rev"],
            version=0,
            claims=[{"start": s, "end": e, **FIELDS} for s, e in spans],
        )
    with CaptureQueriesContext(connection) as queries:
        gold = [
            (g.passage_id, g.document_id, g.start, g.end, g.speaker, g.adjudication.reviewer_id)
            for g in gold_claims_for_project(project)
        ]
    assert len(queries) == 1
    assert gold == [
        (passages[0].pk, passages[0].document_id, 0, 9, None, members["rev"].pk),
        (passages[0].pk, passages[0].document_id, 10, 20, None, members["rev"].pk),
        (passages[2].pk, passages[2].document_id, 0, 9, None, members["rev"].pk),
    ]
