"""A password-checking API endpoint of the kind a token view is, for the lockout tests."""

from django.contrib.auth import authenticate
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class PasswordCheck(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def post(self, request):
        user = authenticate(
            request=request, username=request.data.get("username"), password=request.data.get("password")
        )
        if user is None:
            return Response({"detail": "Wrong username or password."}, status=400)
        return Response({"username": user.get_username()})


urlpatterns = [path("api/v1/password-check/", PasswordCheck.as_view())]
