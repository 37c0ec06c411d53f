"""A small project with one of every object the URLs name, built through the write services.

Used by the role matrix, the schemathesis run and the bad-input tests: every URL pattern can be resolved
with real ids (`SmallProject.ids`), and every role has a user (`SmallProject.users`; None is anonymous).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.accounts.services import api_token_create
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.corpus.models import ArticleImportJob, Project, SpeakerMerge
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, membership_set, speaker_create
from annotator.corpus.speakers import speaker_merge
from annotator.exports.models import ExportJob
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create
from annotator.review.services import adjudication_save
from annotator.suggestions.models import Suggestion

ROLES = ("anonymous", "outsider", "annotator", "reviewer", "researcher", "manager", "superuser")

TEXT = (
    "Summit talks\n\n"
    "Officials described the talks as useful. Scholars disagreed about the treaty.\n\n"
    "A second paragraph ends it here with a quote.\n"
)


@dataclass
class SmallProject:
    project: Project
    users: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)


def build_small_project(project: Project, make_user, media_root: Path) -> SmallProject:
    """One document of two passages for two annotators, a claim each, a speaker merge, a gold version, a
    finished agreement run and export job (with its file) and an article import job."""
    users: dict[str, Any] = {"anonymous": None}
    for role in ("annotator", "reviewer", "researcher", "manager"):
        users[role] = make_user(f"the-{role}", email=f"{role}@example.org")
        membership_set(project=project, user=users[role], role=role)
    other = make_user("second-annotator")
    membership_set(project=project, user=other, role="annotator")
    users["outsider"] = make_user("the-outsider")
    users["superuser"] = make_user("the-superuser", is_superuser=True, is_staff=True)
    project.overlap = 2
    project.save(update_fields=["overlap"])

    documents_import(project=project, records=[ArticleRecord(title="Summit talks", text=TEXT)])
    assignments_distribute(project=project)
    assignment = Assignment.objects.select_related("passage__document__project").get(
        annotator=users["annotator"], passage__position=0
    )
    passage = assignment.passage
    reviewer = users["reviewer"]
    speaker = speaker_create(project=project, name="Wang Junsheng", kind="person", created_by=reviewer)
    duplicate = speaker_create(project=project, name="Wang J.", kind="person", created_by=reviewer)
    start = passage.text.index("Scholars disagreed")
    claims = {}
    for who in (users["annotator"], other):
        mine = Assignment.objects.select_related("passage__document__project").get(
            annotator=who, passage=passage
        )
        claims[who.username] = claim_create(
            assignment=mine,
            start=start,
            end=start + len("Scholars disagreed about the treaty"),
            # The second annotator's claim is authorial: no speaker (null in the API).
            attribution="authorial" if who == other else "indirect",
            perspective="chinese",
            stance="against" if who == other else "neutral",
            speaker_id=None if who == other else speaker.pk,
        )
        assignment_submit(assignment=mine)
    speaker_merge(project=project, canonical=speaker, duplicates=[duplicate], merged_by=users["reviewer"])
    merge = SpeakerMerge.objects.get(project=project)
    adjudication_save(
        passage=passage,
        reviewer=users["reviewer"],
        version=0,
        claims=[
            {
                "start": start,
                "end": start + len("Scholars disagreed about the treaty"),
                "attribution": "indirect",
                "perspective": "chinese",
                "stance": "neutral",
                "speaker_id": speaker.pk,
            }
        ],
    )
    # A real run, as the automatic refresh makes it (requested by nobody: null in the API), computed by
    # the worker's service in this thread.
    run = agreement_run_request(project=project, requested_by=None, enqueue=False)
    run = agreement_run_execute(run_id=run.pk) or AgreementRun.objects.get(pk=run.pk)
    export_path = media_root / "exports" / f"{project.pk}-{project.slug}-csv.csv"
    export_path.parent.mkdir(parents=True, exist_ok=True)
    export_path.write_text("passage_id\n")
    export = ExportJob.objects.create(
        project=project,
        format="csv",
        status=RunStatus.SUCCEEDED,
        file=str(export_path.relative_to(media_root)),
        requested_by=users["researcher"],
    )
    article_job = ArticleImportJob.objects.create(project=project, requested_by=users["manager"])
    spare = speaker_create(project=project, name="W. Junsheng", kind="person", created_by=reviewer)
    quote = "A second paragraph ends it here"
    second = Assignment.objects.get(annotator=users["annotator"], passage__position=1).passage
    suggestion = Suggestion.objects.create(
        passage=second,
        start=0,
        end=len(quote),
        text=quote,
        attribution="indirect",
        detector_version="test",
    )
    token, _secret = api_token_create(user=users["annotator"], name="scripts")
    ids = {
        "token": token.pk,
        "project": project.pk,
        "slug": project.slug,
        "document": passage.document_id,
        "passage": passage.pk,
        "assignment": assignment.pk,
        "claim": claims[users["annotator"].username].pk,
        "speaker": speaker.pk,
        "merge": merge.pk,
        "run": run.pk,
        "export": export.pk,
        "article_job": article_job.pk,
        "suggestion": suggestion.pk,
        "spare_speaker": spare.pk,
        "member": users["annotator"].pk,
    }
    return SmallProject(project=project, users=users, ids=ids)
