"""The API tokens page: every logged-in user lists, creates and revokes their own personal API tokens.

Creating redirects (so that reloading the page cannot make a second token); the new secret waits in the
server-side session for that one redirected GET, which takes it out again, and the page is never cached.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from annotator.accounts.selectors import own_token, tokens_of
from annotator.accounts.services import NAME_MAX_LENGTH, api_token_create, api_token_revoke

CREATED_KEY = "api_token_created"
PAGE_TOKENS = 100  # the newest; revoked tokens stay listed, the API pages through all of them
EXPIRY_CHOICES = [("", "Never"), (7, "In 7 days"), (30, "In 30 days"), (90, "In 90 days"), (365, "In a year")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH, help_text="What uses it, e.g. “export script”.")
    expires_in_days = forms.TypedChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm()
    if request.method == "POST" and request.POST.get("action") == "revoke":
        return _revoke(request)
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = api_token_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session[CREATED_KEY] = {"id": token.pk, "secret": secret}
                return redirect("api-tokens")
    tokens = list(tokens_of(user=request.user)[:PAGE_TOKENS])
    just_made = request.session.pop(CREATED_KEY, None) if request.method == "GET" else None
    created = None
    if just_made:
        token = next((t for t in tokens if t.pk == just_made["id"]), None)
        created = {"token": token, "secret": just_made["secret"]} if token else None
    return render(
        request,
        "tokens.html",
        {"form": form, "created": created, "tokens": [(token, token.status()) for token in tokens]},
        status=400 if form.errors else 200,
    )


def _revoke(request: HttpRequest) -> HttpResponse:
    token = own_token(user=request.user, token_id=request.POST.get("token", ""))
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(token=token)
    messages.success(request, f"Revoked the token “{token.name}” ({token.prefix}…): it no longer works.")
    return redirect("api-tokens")


urlpatterns = [path("account/tokens/", api_tokens, name="api-tokens")]
