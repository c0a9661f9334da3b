"""No English left on a Spanish page: every learner- and guardian-facing page is rendered in
English and in Spanish, and any piece of interface text that comes out the same in both
(after taking out the data shown: names, titles, standards) fails the test.

Also: every string in the Spanish catalogue is translated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.plans.helpers import add_classmates, add_standards, png, viewer
from waypoint.plans import services
from waypoint.plans.models import Artifact, Goal
from waypoint.plans.services import MilestoneIn

CATALOGUE = Path(__file__).resolve().parents[2] / "src/waypoint/locale/es/LC_MESSAGES/django.po"

SAME_IN_BOTH = {
    "plan",
    "bytes",
    "kb",
    "waypoint",
    "pdf",
    "json",
    "zip",
    "mb",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "txt",
    "md",
    "k",
    "español",
    "english",
}
"""Words that are the same in English and Spanish (or are names of formats and languages)."""

ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}


class _Text(HTMLParser):
    """Collects visible text and the attributes a screen reader speaks, skipping <script>,
    <style> and the data-only parts of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if value and (
                name in ATTRIBUTES
                or (tag == "input" and name == "value" and ("type", "submit") in attrs)
            ):
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(" ".join(data.split()))


def interface_text(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return set(parser.chunks)


def words_left(chunk: str, data: list[str]) -> list[str]:
    for value in data:  # longest first, so a name inside a title goes with the title
        chunk = chunk.replace(value, " ")
    words = re.findall(r"[^\W\d_]{2,}", chunk)
    return [w for w in words if w.lower() not in SAME_IN_BOTH]


@pytest.fixture
def w(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    w = add_standards(world)
    services.save_profile(
        viewer=viewer(w.l1), learner_id=w.l1.pk, interests="fútbol", aspirations="ingeniera"
    )
    w.goal = services.save_goal(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        kind=Goal.Kind.ACADEMIC,
        title="Fracciones",
        status=Goal.Status.IN_PROGRESS,
        standard_ids=[w.std1.pk],
        milestones=[MilestoneIn("Práctica", done=True)],
    )
    services.add_reflection(viewer=viewer(w.l1), learner_id=w.l1.pk, text="Aprendí mucho.")
    services.add_comment(viewer=viewer(w.t1), learner_id=w.l1.pk, text="¡Bien hecho!")
    w.art = services.add_artifact(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        title="Póster",
        kind="file",
        file_name="p.png",
        data=png(),
        standard_ids=[w.std1.pk],
    )
    w.done = services.add_artifact(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        title="Ensayo",
        kind="text",
        text="Texto mío",
        standard_ids=[w.std1.pk],
    )
    services.review_artifact(
        viewer=viewer(w.t1),
        learner_id=w.l1.pk,
        artifact_id=w.done.pk,
        accept=True,
        score=3,
        max_score=4,
        feedback="Muy bien",
    )
    services.choose_next(viewer=viewer(w.l1), learner_id=w.l1.pk, item_id=w.std3.pk)
    # a classmate the teacher allows: their feedback shows as "peer", and they get a page
    add_classmates(w)
    services.grant_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, peer_id=w.peer1.pk)
    services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="¡Qué buena meta!")
    return w


def _data_strings(w) -> list[str]:
    """Every piece of data these pages may show, so that it is not taken for interface text."""
    from waypoint.plans.models import ArtifactReview, Comment, Milestone, Reflection
    from waypoint.roster.models import District, Person, School, SchoolYear, Section
    from waypoint.standards.models import FrameworkItem

    values: set[str] = set()
    for model, fields in [
        (Person, ["given_name", "family_name", "preferred_name"]),
        (School, ["name"]),
        (District, ["name"]),
        (SchoolYear, ["title"]),
        (Section, ["title"]),
        (FrameworkItem, ["human_coding_scheme", "full_statement"]),
        (Goal, ["title", "description"]),
        (Milestone, ["title"]),
        (Reflection, ["text"]),
        (Comment, ["text"]),
        (Artifact, ["title", "text", "file_name", "description"]),
        (ArtifactReview, ["feedback"]),
    ]:
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    values.update({"fútbol", "ingeniera"})
    for person in Person.objects.all():
        values.add(person.display_name)
    return sorted(values, key=len, reverse=True)


def _client(username: str | None, language: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    if username:
        assert c.login(username=username, password=PASSWORD)
        c.post(reverse("plans:language"), {"language": language, "next": "/"})
    return c


def _pages(w, role: str) -> list[tuple[str, str, dict | None]]:
    pk = w.l1.pk
    if role == "peer":  # a classmate the teacher allows: the narrow page, with its errors
        peer = reverse("plans:peer", args=[pk])
        return [
            ("GET", peer, None),
            ("POST", peer, {"text": ""}),
            ("POST", peer, {"text": "x " * 2001}),  # over-long (one-letter words are no text)
            ("GET", reverse("plans:plan", args=[w.peer1.pk]), None),  # links to Ada's plan
            ("GET", reverse("plans:plan", args=[pk]), None),  # the 404 page
            ("GET", "/", None),
        ]
    common = [
        ("GET", reverse("plans:plan", args=[pk]), None),
        ("GET", reverse("plans:path", args=[pk]), None),
        ("GET", reverse("plans:portfolio", args=[pk]), None),
        ("GET", reverse("plans:artifact", args=[pk, w.art.pk]), None),
        ("GET", reverse("plans:artifact", args=[pk, w.done.pk]), None),
        ("GET", reverse("plans:family", args=[pk]), None),
        ("GET", reverse("learner-detail", args=[pk]), None),
        ("GET", "/", None),
        ("GET", reverse("plans:plan", args=[w.l2.pk]), None),  # the 404 page
    ]
    if role == "learner":
        common += [
            ("GET", reverse("plans:profile", args=[pk]), None),
            ("GET", reverse("plans:goal-new", args=[pk]), None),
            ("GET", reverse("plans:goal", args=[pk, w.goal.pk]), None),
            (
                "POST",
                reverse("plans:goal", args=[pk, w.goal.pk]),
                {"kind": "academic", "title": "", "status": "met"},
            ),
            ("POST", reverse("plans:portfolio", args=[pk]), {"title": "", "kind": "file"}),
            (
                "POST",
                reverse("plans:portfolio", args=[pk]),
                {"title": "x", "kind": "file", "file": "big"},
            ),
            (
                "POST",
                reverse("plans:portfolio", args=[pk]),
                {"title": "x", "kind": "file", "file": "exe"},
            ),
            (
                "POST",
                reverse("plans:portfolio", args=[pk]),
                {"title": "x", "kind": "file", "file": "fake"},
            ),
        ]
    return common


def _fetch(c: Client, method: str, url: str, data: dict | None) -> str:
    if method == "GET":
        return c.get(url, follow=True).content.decode()
    data = dict(data or {})
    files = {
        "big": ("big.png", png() + b"\0" * 3000),
        "exe": ("a.exe", b"MZ"),
        "fake": ("f.png", b"%PDF-1.4"),
    }
    if data.get("file") in files:
        name, content = files[data["file"]]
        data["file"] = SimpleUploadedFile(name, content)
    return c.post(url, data).content.decode()


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("learner1", "learner"),
        ("guardian1", "guardian"),
        ("peer1", "peer"),
        (None, "anonymous"),
    ],
)
def test_no_english_left_on_spanish_pages(w, settings, username, role):
    settings.WAYPOINT_MAX_UPLOAD_BYTES = 2000
    data = _data_strings(w)
    pages = [("GET", reverse("login"), None)] if role == "anonymous" else _pages(w, role)
    # one account has one language: render every page in English first, then in Spanish
    english = [_fetch(_client(username, "en"), *page) for page in pages]
    spanish_client = _client(username, "es")
    problems = []
    for page, en_html in zip(pages, english, strict=True):
        es_html = _fetch(spanish_client, *page)
        assert 'lang="es"' in es_html and 'lang="en"' in en_html, page[1]
        same = interface_text(en_html) & interface_text(es_html)
        for chunk in sorted(same):
            left = words_left(chunk, data)
            if left:
                problems.append(f"{page[0]} {page[1]}: {chunk!r} ({' '.join(left)})")
    assert not problems, "English on Spanish pages:\n" + "\n".join(problems)


def test_every_catalogue_string_is_translated():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first is the header
    untranslated = []
    for entry in entries:
        if entry.lstrip().startswith("#~"):
            continue
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry + "\n", flags=re.M)
        if not strs or any(not "".join(re.findall(r'"(.*)"', s)) for s in strs):
            untranslated.append(entry.strip().splitlines()[-2:])
    assert not untranslated, untranslated
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
