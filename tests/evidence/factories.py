"""Factories for standards, evidence and mastery rows (the shared ones are in tests/factories)."""

from __future__ import annotations

import datetime as dt
import uuid

import factory
from django.utils import timezone

from tests import factories as f
from waypoint.evidence.models import ActivityAlignment, Observation, ToolToken, hash_tool_token
from waypoint.mastery.models import MasteryState
from waypoint.standards.models import Framework, FrameworkAssociation, FrameworkItem

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    district = factory.SubFactory(f.DistrictFactory)
    identifier = factory.LazyFunction(lambda: str(uuid.uuid4()))
    sourced_id = factory.SelfAttribute("identifier")
    title = factory.Sequence(lambda n: f"Framework {n}")
    case_version_read = "1.0"
    imported_at = WHEN
    changed_at = WHEN


class FrameworkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkItem

    framework = factory.SubFactory(FrameworkFactory)
    district = factory.SelfAttribute("framework.district")
    identifier = factory.LazyFunction(lambda: str(uuid.uuid4()))
    sourced_id = factory.SelfAttribute("identifier")
    uri = factory.LazyAttribute(lambda o: f"https://case.example.org/uri/{o.identifier}")
    item_type = "Standard"
    human_coding_scheme = factory.Sequence(lambda n: f"S.{n}")
    full_statement = factory.Sequence(lambda n: f"Standard number {n}")
    grade_low = 4
    grade_high = 4


class AssociationFactory(factory.django.DjangoModelFactory):
    """``origin`` precedes ``destination`` by default (origin is the prerequisite)."""

    class Meta:
        model = FrameworkAssociation

    origin_item = factory.SubFactory(FrameworkItemFactory)
    destination_item = factory.SubFactory(
        FrameworkItemFactory, framework=factory.SelfAttribute("..origin_item.framework")
    )
    framework = factory.SelfAttribute("origin_item.framework")
    district = factory.SelfAttribute("framework.district")
    identifier = factory.LazyFunction(lambda: str(uuid.uuid4()))
    association_type = FrameworkAssociation.Type.PRECEDES
    origin_identifier = factory.SelfAttribute("origin_item.identifier")
    destination_identifier = factory.SelfAttribute("destination_item.identifier")


class ToolTokenFactory(factory.django.DjangoModelFactory):
    """Pass ``raw=...`` to choose the token; it is kept only as a hash."""

    class Meta:
        model = ToolToken
        exclude = ("raw",)

    district = factory.SubFactory(f.DistrictFactory)
    name = factory.Sequence(lambda n: f"Tool {n}")
    raw = factory.Sequence(lambda n: f"wpt_test_{n}")
    key_hash = factory.LazyAttribute(lambda o: hash_tool_token(o.raw))


class AlignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityAlignment

    item = factory.SubFactory(FrameworkItemFactory)
    district = factory.SelfAttribute("item.district")
    activity_iri = factory.Sequence(lambda n: f"https://tool.example.org/activities/{n}")


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    item = factory.SubFactory(FrameworkItemFactory)
    district = factory.SelfAttribute("item.district")
    learner = factory.SubFactory(f.LearnerFactory, district=factory.SelfAttribute("..district"))
    correct = True
    observed_at = factory.LazyFunction(timezone.now)
    source = Observation.Source.RESPONSES


class MasteryStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MasteryState

    item = factory.SubFactory(FrameworkItemFactory)
    district = factory.SelfAttribute("item.district")
    learner = factory.SubFactory(f.LearnerFactory, district=factory.SelfAttribute("..district"))
    probability = 0.5
    observation_count = 1
