"""Forms of the project setup pages: they only type the input; the services decide what is valid."""

from django import forms

from annotator import limits
from annotator.corpus.models import Role
from annotator.corpus.project_services import OVERLAP_MAX, OVERLAP_MIN

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=limits.PROJECT_NAME)
    slug = forms.CharField(
        max_length=80,
        required=False,
        help_text="Part of the project's address; left empty, made from the name.",
    )
    overlap = forms.IntegerField(
        label="Annotators per passage",
        initial=3,
        widget=forms.NumberInput(attrs={"min": OVERLAP_MIN, "max": OVERLAP_MAX}),
    )
    blind = forms.TypedChoiceField(
        label="Annotators see",
        choices=[("1", "only their own work (blind)"), ("0", "each other's work (open)")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    suggestions = forms.BooleanField(
        label="Show suggested quotes and speakers in the editor",
        required=False,
        initial=True,
        help_text="Off for a study whose annotators must not be primed; suggestions are still computed.",
    )
    guidelines = forms.CharField(
        required=False,
        max_length=limits.GUIDELINES,
        widget=forms.Textarea(attrs={"rows": 14, "data-preview-target": "guidelines-preview"}),
        help_text="Markdown. Every member sees them on the project page.",
    )


class MemberAddForm(forms.Form):
    user = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.ANNOTATOR)


class AccountCreateForm(forms.Form):
    prefix = "account"  # the add form on the same page has a field named role too

    username = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail (optional)", required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.ANNOTATOR)
