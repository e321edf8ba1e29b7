"""The shapes of what the web app accepts (pydantic: every field named in its errors)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64, description="the account's user name")
    password: str = Field(min_length=1, max_length=256)


class SignInForm(SignIn):
    model_config = ConfigDict(extra="ignore")
    csrf: str = Field(default="", max_length=128)
    next: str = Field(default="/console/", max_length=512)


class LangForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    next: str = Field(default="/", max_length=512, description="the page to go back to (a path on this site)")


class SignOutForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    everywhere: bool = False
