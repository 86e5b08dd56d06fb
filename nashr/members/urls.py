"""Members' URLs, included at ``/account/``."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("signin/", views.signin, name="signin"),
    path("signin/link/", views.signin_link, name="signin_link"),
    path("signout/", views.signout, name="signout"),
    path("delete/", views.delete, name="delete"),
]
