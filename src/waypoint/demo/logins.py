"""The demo's login accounts: one person per role, one shared password, and what each sees.

The demo story: the teacher teaches mathematics at a middle school; the aide works in one
of the teacher's sections; the coach supports the teacher; the leader is the school's
principal; the learner is in one of the teacher's sections and the guardian is that
learner's parent. The multi-classroom leader leads a team at the same school and the
advisor advises at the high school. What each login sees is counted through
``waypoint.access``, the same rules the site uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from waypoint.access import policies
from waypoint.access.viewer import Viewer, viewer_for
from waypoint.roster.models import (
    AdvisorLink,
    CoachLink,
    District,
    Enrollment,
    GuardianLink,
    LearnerYear,
    Person,
    School,
    Section,
)

DEMO_PASSWORD = "waypoint-demo"
ROLES = (
    ("admin", "District admin"),
    ("leader", "School leader"),
    ("teacher", "Teacher"),
    ("aide", "Aide"),
    ("coach", "Coach"),
    ("mcl", "Multi-classroom leader"),
    ("advisor", "Advisor"),
    ("guardian", "Guardian"),
    ("learner", "Learner"),
)
USERNAMES = tuple(username for username, _ in ROLES)


@dataclass(frozen=True)
class LoginRow:
    role: str
    username: str
    password: str
    name: str
    sees: str


def taken_usernames() -> list[str]:
    """Demo usernames already used by other accounts (checked before building)."""
    users = get_user_model().objects.filter(username__in=USERNAMES)
    return sorted(users.values_list("username", flat=True))


def create_logins(district: District, people: dict[str, int]) -> None:
    """One account per role, linked to the chosen person; the password is hashed once."""
    user_model = get_user_model()
    hashed = make_password(DEMO_PASSWORD)
    persons = Person.objects.in_bulk(people.values())
    users = user_model.objects.bulk_create(
        [
            user_model(
                username=username,
                password=hashed,
                first_name=persons[people[username]].given_name,
                last_name=persons[people[username]].family_name,
                email=persons[people[username]].email,
            )
            for username in USERNAMES
        ]
    )
    for user in users:
        Person.objects.filter(pk=people[user.username], district=district).update(user=user)


def _current_sections(viewer: Viewer, role: str) -> list[Section]:
    mine = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today), person=viewer.person, role=role
    ).values("section_id")
    return list(
        Section.objects.filter(id__in=mine, school_year=viewer.school_year)
        .select_related("school")
        .order_by("period", "title")
    )


def _school_of_role(viewer: Viewer, role: str) -> str:
    ids = viewer.role_schools.get(role, frozenset())
    school = School.objects.filter(id__in=[i for i in ids if i is not None]).first()
    return school.name if school else "the district"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def describe(username: str, viewer: Viewer) -> str:
    """What this demo login will see, in a few words, counted through the access rules."""
    learners = policies.visible_learners(viewer).count()
    seen = _plural(learners, "learner")
    year = viewer.school_year
    if username == "admin":
        schools = School.objects.filter(district_id=viewer.district_id or 0).count()
        enrolled = LearnerYear.objects.filter(school_year=year).count()
        return (
            f"all {schools} schools: {enrolled:,} learners this year "
            f"({seen} with history), every staff rating"
        )
    if username == "leader":
        return f"principal of {_school_of_role(viewer, 'school_leader')}: its {seen}, staff ratings"
    if username in ("teacher", "aide"):
        role = Enrollment.Role.TEACHER if username == "teacher" else Enrollment.Role.AIDE
        sections = _current_sections(viewer, role)
        school = sections[0].school.name if sections else "—"
        return f"{_plural(len(sections), 'section')} at {school}: {seen}"
    if username in ("coach", "mcl"):
        kind = CoachLink.Kind.COACH if username == "coach" else CoachLink.Kind.MCL
        team = CoachLink.objects.filter(coach_id=viewer.person_id, school_year=year, kind=kind)
        school = _school_of_role(viewer, username)
        what = "supports" if username == "coach" else "leads a team of"
        return f"{what} {_plural(team.count(), 'teacher')} at {school}: {seen}"
    if username == "advisor":
        advisees = AdvisorLink.objects.filter(advisor_id=viewer.person_id, school_year=year)
        school = _school_of_role(viewer, "advisor")
        return f"teaches and advises {_plural(advisees.count(), 'learner')} at {school}: {seen}"
    if username == "guardian":
        children = Person.objects.filter(
            id__in=GuardianLink.objects.filter(guardian_id=viewer.person_id).values("learner_id")
        ).order_by("given_name")
        names = ", ".join(c.given_name for c in children)
        return f"parent of {names}: {seen}"
    current = (
        LearnerYear.objects.filter(learner_id=viewer.person_id, school_year=year)
        .select_related("school")
        .first()
    )
    if current is None or current.school is None:
        return "their own record"
    return f"grade {current.grade_label} at {current.school.name}: their own record"


def login_rows(district: District) -> list[LoginRow]:
    """One row per demo login that exists in ``district``."""
    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=USERNAMES, person__district=district)
        .select_related("person")
    }
    rows = []
    for username, role in ROLES:
        user = users.get(username)
        if user is None:
            continue
        viewer = viewer_for(user)
        person = user.person
        sees = describe(username, viewer)
        rows.append(LoginRow(role, username, DEMO_PASSWORD, person.display_name, sees))
    return rows


def render_table(rows: list[LoginRow]) -> str:
    header = LoginRow("Role", "Username", "Password", "Name", "Sees")
    table = [header, *rows]
    columns = ("role", "username", "password", "name")
    widths = [max(len(getattr(r, f)) for r in table) for f in columns]
    lines = []
    for i, r in enumerate(table):
        cells = [getattr(r, f).ljust(w) for f, w in zip(columns, widths, strict=True)]
        lines.append("  ".join(cells) + "  " + r.sees)
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    return "\n".join(lines)
