"""Uploading several article files from the upload page and through the API: per-file summaries."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from annotator.corpus.models import ArticleImportJob, Document, Passage
from annotator.corpus.readers import MAX_FILE_BYTES, read_articles
from annotator.labeling.models import Assignment

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
URL = "/projects/summits/articles/upload/"


def seed_files() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(path.name, path.read_bytes()) for path in SEEDS]


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_page(user, files):
    return page_client(user).post(URL, {"file": files})


def post_api(user, project_id, files):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/article-imports/", {"project": project_id, "file": files}, format="multipart")


def test_the_page_imports_the_seed_articles_with_the_commands_summary_and_furniture(project, members):
    response = post_page(members["man"], seed_files())
    assert response.status_code == 200
    summary = response.context["summary"]
    assert [(f["name"], f["passages"], f["furniture"]) for f in summary["files"]] == [
        (SEEDS[0].name, 26, 12),
        (SEEDS[1].name, 37, 6),
    ]
    assert (summary["documents"], summary["passages"], summary["furniture"]) == (2, 63, 18)
    assert summary["skipped_duplicates"] == 0 and summary["failed_files"] == 0
    assert Passage.objects.filter(document__project=project).count() == 63
    body = response.content.decode()
    assert 'id="summary-table"' in body and "Assign now" in body


def test_a_bad_file_among_good_ones_is_named_with_its_line_and_the_others_import(project, members):
    bad = SimpleUploadedFile("bad.jsonl", b'{"text": "A fine first article."}\n{"text": \n')
    good = SimpleUploadedFile("good.jsonl", b'{"title": "One", "text": "One body paragraph here."}\n')
    response = post_page(members["man"], [*seed_files()[:1], bad, good])
    files = response.context["summary"]["files"]
    assert files[1]["name"] == "bad.jsonl" and "bad.jsonl, line 2" in files[1]["error"]
    assert files[1]["documents"] == 0
    assert files[0]["documents"] == 1 and files[2]["documents"] == 1
    assert Document.objects.filter(project=project).count() == 2  # nothing from bad.jsonl, not even line 1
    assert "nothing imported from this file" in response.content.decode()


def test_uploading_the_same_articles_again_skips_them_as_duplicates(project, members):
    post_page(members["man"], seed_files())
    again = post_page(members["man"], seed_files()).context["summary"]
    assert (again["documents"], again["passages"], again["furniture"], again["skipped_duplicates"]) == (
        0,
        0,
        0,
        2,
    )
    assert Document.objects.filter(project=project).count() == 2


def test_an_empty_file_is_reported_and_writes_nothing(project, members):
    response = post_page(members["man"], [SimpleUploadedFile("empty.txt", b"  \n")])
    assert response.context["summary"]["files"][0]["error"] == "empty.txt: empty file"
    assert Document.objects.count() == 0


def test_a_file_over_the_limit_answers_413_and_nothing_is_written(project, members):
    big = SimpleUploadedFile("huge.txt", b"x" * (MAX_FILE_BYTES + 1))
    response = post_page(members["man"], [*seed_files(), big])
    assert response.status_code == 413
    assert "huge.txt" in response.content.decode() and "50 MB" in response.content.decode()
    assert Document.objects.count() == 0 and ArticleImportJob.objects.count() == 0


def test_no_file_is_a_400(project, members):
    assert page_client(members["man"]).post(URL, {}).status_code == 400


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "outsider"])
def test_only_managers_see_or_use_the_upload_page(project, members, who):
    client = page_client(members[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"file": seed_files()}).status_code == 404
    assert post_api(members[who], project.pk, seed_files()).status_code == 404
    assert Document.objects.count() == 0


def test_file_names_and_errors_are_escaped_on_the_page(project, members):
    name = '<img src=x onerror="alert(1)">.jsonl'
    response = post_page(members["man"], [SimpleUploadedFile(name, b'{"text": 1}\n')])
    body = response.content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.jsonl" in body


def test_the_api_imports_small_uploads_at_once(project, members):
    response = post_api(members["man"], project.pk, seed_files())
    assert response.status_code == 201, response.content
    assert response.json()["passages"] == 63 and response.json()["furniture"] == 18
    assert [f["passages"] for f in response.json()["files"]] == [26, 37]


def test_the_api_answers_400_when_no_file_imported_and_413_when_one_is_too_big(project, members):
    bad = post_api(members["man"], project.pk, [SimpleUploadedFile("bad.csv", b"title\nno text column\n")])
    assert bad.status_code == 400 and "bad.csv" in bad.json()["files"][0]["error"]
    big = post_api(members["man"], project.pk, [SimpleUploadedFile("big.txt", b"x" * (MAX_FILE_BYTES + 1))])
    assert big.status_code == 413 and "50 MB" in big.json()["file"][0]


def test_a_large_upload_is_queued_as_a_job_and_runs(
    project, members, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ARTICLE_IMPORT_JOB_BYTES = 1000
    settings.MEDIA_ROOT = tmp_path
    # Without a broker the task runs eagerly once the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_api(members["man"], project.pk, seed_files())
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    job_id = response.json()["id"]
    polled = APIClient()
    polled.force_authenticate(members["man"])
    job = polled.get(f"/api/v1/article-imports/{job_id}/").json()
    assert job["status"] == "succeeded" and job["progress"] == 100
    assert job["summary"]["passages"] == 63 and job["file_names"] == [p.name for p in SEEDS]
    assert not (tmp_path / "article-imports" / str(job_id)).exists()  # the kept files go once imported
    other = APIClient()
    other.force_authenticate(members["rev"])
    assert other.get(f"/api/v1/article-imports/{job_id}/").status_code == 404


def test_the_page_redirects_a_large_upload_to_its_job(project, members, settings, tmp_path):
    settings.ARTICLE_IMPORT_JOB_BYTES = 1000
    settings.MEDIA_ROOT = tmp_path
    client = page_client(members["man"])
    response = client.post(URL, {"file": seed_files()})
    job = ArticleImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}?job={job.pk}"
    page = client.get(response["Location"])
    assert page.context["job"] == job and 'id="job-status"' in page.content.decode()


def test_assign_now_uses_the_projects_overlap_and_returns_to_the_upload_page(project, members):
    post_page(members["man"], seed_files())
    client = page_client(members["man"])
    response = client.post("/projects/summits/assign/", {"next": URL}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert Assignment.objects.count() == 63 * 3
    assert "189 new assignments" in response.content.decode()
    elsewhere = client.post("/projects/summits/assign/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/projects/summits/"


def test_a_chinese_article_saved_in_gb18030_imports_as_its_utf8_copy_and_the_page_says_so(project, members):
    """Excel and older Chinese sites save GBK/GB18030: the article reads the same as in UTF-8, and the
    summary names the encoding it was read in."""
    article = REPO / "seeds" / "zh" / "100_kim_putin_summits_zh.txt"
    legacy = SimpleUploadedFile("summit_gbk.txt", article.read_text(encoding="utf-8").encode("gb18030"))
    response = post_page(members["man"], [legacy, seed_files()[0]])
    files = response.context["summary"]["files"]
    assert [(f["name"], f["encoding"], f["error"]) for f in files] == [
        ("summit_gbk.txt", "GB18030", ""),
        (SEEDS[0].name, "UTF-8", ""),
    ]
    assert 'summit_gbk.txt <span class="muted">(read as GB18030)</span>' in response.content.decode()

    expected = next(read_articles(article.name, article.read_bytes()))
    stored = Document.objects.get(project=project, title=expected.title)
    assert stored.text == expected.text and stored.language == "zh"
    assert files[0]["passages"] == Passage.objects.filter(document=stored).count() > 1


def test_the_api_names_the_encoding_and_refuses_noise_naming_the_byte(project, members):
    western = 'title,text\r\nSummit,"Officials said “the partnership threatens the region” — a café."\r\n'
    body = post_api(members["man"], project.pk, [SimpleUploadedFile("excel.csv", western.encode("cp1252"))])
    assert body.status_code == 201 and body.json()["files"][0]["encoding"] == "Windows-1252"
    assert "“the partnership threatens the region” — a café." in Document.objects.get(project=project).text

    noise = post_api(members["man"], project.pk, [SimpleUploadedFile("noise.txt", b"Text \x81\x8d\x9d\n")])
    assert noise.status_code == 400
    assert "noise.txt, line 1: not UTF-8 text (byte offset 5)" in noise.json()["files"][0]["error"]
    assert Document.objects.filter(project=project).count() == 1
