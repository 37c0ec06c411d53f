"""The who-says-what figures in the Hugging Face dataset card and on the export page."""

from django.test import Client

from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_to_folder
from tests.integration.analytics.builders import build_who_says_what


def test_the_dataset_card_carries_claims_per_outlet_and_the_voice(project, members, tmp_path):
    build_who_says_what(project, members)
    export_to_folder(project=project, filters=ExportFilters(), folder=tmp_path / "dataset")
    card = (tmp_path / "dataset" / "README.md").read_text()
    section = card[card.index("## Who says what") :]
    assert "more than half" in section
    assert "2 gold and 4 majority claims count." in section
    assert "| outlet | US / Western | Chinese | Neutral / mixed |" in section
    assert "| Wire A | 2 (1 speakers) | 2 (1 speakers) | 0 (0 speakers) |" in section
    assert "| (no outlet) | 1 (0 speakers) | 0 (0 speakers) | 1 (0 speakers) |" in section
    assert "| US / Western | 33% | 67% | 0% |" in section
    assert "| Neutral / mixed | 0% | 0% | 100% |" in section


def test_the_export_page_has_the_compact_table_and_a_link(project, members):
    build_who_says_what(project, members)
    client = Client()
    client.force_login(members["res"])
    html = " ".join(client.get("/projects/summits/exports/").content.decode().split())
    table = html[html.index('id="who-says-what-summary"') :]
    assert "<tr><td>Chinese</td><td>1</td><td>1</td><td>0%</td><td>50%</td><td>50%</td></tr>" in table
    assert 'href="/projects/summits/who-says-what/"' in table
