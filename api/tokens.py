"""Personal API tokens over the API: list one's own, create one (the secret in that answer only), revoke one.

Only one's own tokens are visible; anyone else's id is a 404. A request authenticated by a token may list
and revoke tokens but not create one, so that a leaked token cannot mint successors that outlive its
revocation: new tokens come from a logged-in session (the API tokens page, the browsable API) or
`manage.py create_api_token`.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from annotator.accounts.models import ApiToken, TokenStatus
from annotator.accounts.selectors import own_token, tokens_of
from annotator.accounts.services import EXPIRY_MAX_DAYS, NAME_MAX_LENGTH, api_token_create, api_token_revoke


class ApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=TokenStatus.choices,
        read_only=True,
        help_text="revoked also when the owner's password changed after the token was made.",
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "status"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Send it as `Authorization: Token <secret>`. Shown this once; never stored."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, help_text="What the token is for.")
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=EXPIRY_MAX_DAYS, required=False, allow_null=True, help_text="Omit: no expiry."
    )


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your own API tokens, newest first."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the OpenAPI generator only; get_queryset decides

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return tokens_of(user=self.request.user)

    def get_object(self) -> ApiToken:
        token = own_token(user=self.request.user, token_id=self.kwargs.get("pk"))
        if token is None:
            raise Http404("No such token.")
        return token

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: OpenApiResponse(description="A bad name or expiry, or too many active tokens; by field."),
            403: OpenApiResponse(description="Not logged in, or the request was made with a token."),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a token; the answer carries its secret, which no later answer repeats."""
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(
                "A token cannot create tokens: log in and use the API tokens page, or create_api_token."
            )
        given = ApiTokenCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        token, secret = api_token_create(user=request.user, **given.validated_data)
        token.secret = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, 404: OpenApiResponse(description="Not one of your tokens.")})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke one of your tokens (it stays listed as revoked); revoking it again changes nothing."""
        api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("tokens", ApiTokenViewSet, basename="api-token")
