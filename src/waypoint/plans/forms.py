"""Forms: they only parse what a person typed (dates, numbers); the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.plans.models import Artifact, Goal, Plan
from waypoint.plans.services import PROFILE_FIELDS


class ProfileForm(forms.Form):
    strengths = forms.CharField(
        label=_("What I am good at"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    interests = forms.CharField(
        label=_("What I love and care about"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    aspirations = forms.CharField(
        label=_("What I want to do after school (college and career)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    learns_best = forms.CharField(
        label=_("How I learn best"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    home_languages = forms.CharField(
        label=_("Languages we speak at home"), required=False, max_length=200
    )

    field_order = list(PROFILE_FIELDS)


class GoalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of goal"), choices=Goal.Kind.choices)
    title = forms.CharField(label=_("Goal"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    target_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    standards = forms.MultipleChoiceField(
        label=_("Standards (academic goals)"), required=False, choices=()
    )


class ArtifactForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("What are you adding?"),
        choices=Artifact.Kind.choices,
        widget=forms.RadioSelect,
        initial=Artifact.Kind.FILE,
    )
    file = forms.FileField(label=_("File"), required=False)
    url = forms.CharField(label=_("Web address"), required=False, max_length=500)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description = forms.CharField(
        label=_("What does it show?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    standards = forms.MultipleChoiceField(label=_("Standards it shows"), required=False, choices=())


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept as evidence")), ("return", _("Return with feedback"))],
        widget=forms.RadioSelect,
    )
    score = forms.FloatField(label=_("Score"), required=False, min_value=0)
    max_score = forms.FloatField(label=_("Out of"), required=False, min_value=0, initial=4)
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeadershipForm(forms.Form):
    leadership = forms.ChoiceField(label=_("Who leads this plan?"), choices=Plan.Leadership.choices)


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Your words"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class GrowthGoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    target_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


YOUNG_LABELS = {
    "strengths": _("I am good at…"),
    "interests": _("I like…"),
    "aspirations": _("When I grow up, I want to…"),
    "learns_best": _("I learn best when…"),
    "home_languages": _("At home we speak…"),
}
"""Shorter, friendlier questions for learners in kindergarten to grade 2."""


def profile_form(data: Any, initial: dict[str, str], young: bool) -> ProfileForm:
    form = ProfileForm(data or None, initial=initial)
    if young:
        for name, label in YOUNG_LABELS.items():
            form.fields[name].label = label
            widget = form.fields[name].widget
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 2
    return form
