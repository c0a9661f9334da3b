"""Downloads: the portfolio as a zip with an index page, a learner's records as JSON, and the
printable standards-based progress report (PDF, drawn with fpdf2 in the page's language)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF

from waypoint.access.viewer import Viewer
from waypoint.mastery import selectors as mastery
from waypoint.plans import selectors, uploads
from waypoint.plans.models import Artifact
from waypoint.roster.models import Person


def _member_name(artifact: Artifact) -> str:
    stem = slugify(artifact.title)[:40] or "work"
    if artifact.kind == Artifact.Kind.FILE:
        suffix = (
            "." + artifact.file_name.rsplit(".", 1)[-1].lower() if "." in artifact.file_name else ""
        )
        return f"files/{artifact.pk}-{stem}{suffix}"
    return f"files/{artifact.pk}-{stem}.txt"


def portfolio_zip(learner: Person, artifacts: list[Artifact]) -> bytes:
    """A zip the learner can keep: ``index.html`` listing every piece, and the pieces."""
    buffer = io.BytesIO()
    rows = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for artifact in artifacts:
            member = ""
            if artifact.kind == Artifact.Kind.FILE and artifact.stored_name:
                path = uploads.path_of(artifact.district_id, artifact.stored_name)
                if path.is_file():
                    member = _member_name(artifact)
                    archive.write(path, member)
            elif artifact.kind == Artifact.Kind.TEXT:
                member = _member_name(artifact)
                archive.writestr(member, artifact.text)
            rows.append({"artifact": artifact, "member": member})
        index = render_to_string(
            "plans/portfolio_index.html",
            {"learner": learner, "rows": rows, "made": timezone.localdate()},
        )
        archive.writestr("index.html", index)
    return buffer.getvalue()


def records_json(*, viewer: Viewer, learner_id: object) -> bytes:
    """Everything Waypoint keeps in the learner's plan and portfolio, and their mastery."""
    view = selectors.plan_for(viewer=viewer, learner_id=learner_id, view="plans:records")
    learner = view.learner
    states = mastery.mastery_for(viewer=viewer, learner_id=learner.pk)
    artifacts = selectors.artifacts_for(viewer=viewer, learner_id=learner.pk)
    profile = view.profile
    data: dict[str, Any] = {
        "learner": {"id": learner.pk, "name": learner.display_name},
        "made_at": timezone.now().isoformat(),
        "profile": {
            f: getattr(profile, f)
            for f in ("strengths", "interests", "aspirations", "learns_best", "home_languages")
        }
        if profile
        else None,
        "plan": {
            "school_year": view.plan.school_year.title,
            "leadership": view.plan.leadership,
            "goals": [
                {
                    "kind": g.kind,
                    "title": g.title,
                    "description": g.description,
                    "status": g.status,
                    "target_date": g.target_date.isoformat() if g.target_date else None,
                    "standards": [s.human_coding_scheme for s in g.standards.all()],
                    "milestones": [
                        {
                            "title": m.title,
                            "due_date": m.due_date and m.due_date.isoformat(),
                            "done": m.done,
                        }
                        for m in g.milestones.all()
                    ],
                }
                for g in view.goals
            ],
            "reflections": [
                {"text": r.text, "at": r.created_at.isoformat()}
                for r in view.plan.reflections.all()
            ],
            "feedback": [
                {
                    "author": c.author.display_name,
                    "role": c.author_role,
                    "text": c.text,
                    "at": c.created_at.isoformat(),
                }
                for c in view.plan.comments.select_related("author")
            ],
        }
        if view.plan
        else None,
        "mastery": [
            {
                "standard": s.item.human_coding_scheme,
                "statement": s.item.full_statement,
                "probability": round(s.probability, 4),
                "observations": s.observation_count,
            }
            for s in states
        ],
        "portfolio": [
            {
                "title": a.title,
                "kind": a.kind,
                "status": a.status,
                "file_name": a.file_name,
                "url": a.url,
                "standards": [s.human_coding_scheme for s in a.standards.all()],
                "added_at": a.created_at.isoformat(),
            }
            for a in artifacts
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


UNICODE_FONTS = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
)
"""TrueType fonts used when the machine has them (Debian's fonts-dejavu-core or
fonts-liberation), so that every learner's name prints as written; without them the report
falls back to the PDF core fonts, which hold Latin-1 only (Spanish included)."""


def _fonts(pdf: FPDF) -> tuple[str, Callable[[str], str]]:
    """The font family to use and how text must be prepared for it."""
    for regular, bold in UNICODE_FONTS:
        if regular.is_file() and bold.is_file():
            pdf.add_font("Body", "", str(regular))
            pdf.add_font("Body", "B", str(bold))
            return "Body", str
    return "Helvetica", _latin1


def _latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1 (which holds Spanish); anything else becomes '?'."""
    replaced = text.replace("—", "-").replace("–", "-").replace("“", '"').replace("”", '"')
    replaced = replaced.replace("’", "'").replace("…", "...").replace("≥", ">=")
    return replaced.encode("latin-1", "replace").decode("latin-1")


def progress_report_pdf(*, viewer: Viewer, learner_id: object) -> bytes:
    """A printable standards-based progress report: pace, each grade-level standard with its
    level, and the plan's goals."""
    view = selectors.plan_for(viewer=viewer, learner_id=learner_id, view="plans:report")
    path = selectors.path_for(viewer=viewer, learner_id=view.learner.pk)
    pdf = FPDF(format="Letter")
    pdf.set_title(_("Progress report") + " - " + view.learner.display_name)
    family, text = _fonts(pdf)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(family, "B", 18)
    pdf.cell(0, 10, text(_("Progress report")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 12)
    year = view.plan.school_year.title if view.plan else ""
    pdf.cell(0, 7, text(f"{view.learner.display_name} - {year}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0,
        7,
        text(_("Made on %(day)s") % {"day": timezone.localdate().isoformat()}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pace = path.pace
    if pace is not None and pace.total:
        pdf.ln(3)
        pdf.multi_cell(
            0,
            7,
            text(
                _("Mastered %(mastered)s of %(total)s grade-level standards. Pace: %(status)s.")
                % {
                    "mastered": pace.mastered,
                    "total": pace.total,
                    "status": _pace_word(pace.status),
                }
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 8, text(_("Standards")), new_x="LMARGIN", new_y="NEXT")
    levels = [
        (_("Mastered"), path.mastered),
        (_("In progress"), path.in_progress),
        (_("Ready to learn next"), path.ready),
        (_("Not yet ready"), path.not_yet),
    ]
    pdf.set_font(family, "", 10)
    with pdf.table(col_widths=(22, 118, 36), text_align=("LEFT", "LEFT", "LEFT")) as table:
        head = table.row()
        for title in (_("Code"), _("Standard"), _("Level")):
            head.cell(text(title))
        for word, states in levels:
            for s in states:
                row = table.row()
                row.cell(text(s.item.human_coding_scheme))
                row.cell(text(s.item.full_statement[:220]))
                row.cell(text(word))
    pdf.ln(4)
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 8, text(_("Goals")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    if not view.goals:
        pdf.cell(0, 7, text(_("No goals yet.")), new_x="LMARGIN", new_y="NEXT")
    for goal in view.goals:
        due = goal.target_date.isoformat() if goal.target_date else "-"
        pdf.multi_cell(
            0,
            6,
            text(f"- {goal.title} ({goal.get_kind_display()}; {goal.get_status_display()}; {due})"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def _pace_word(status: str) -> str:
    return {
        "ahead": _("ahead"),
        "on pace": _("on pace"),
        "behind": _("behind"),
    }.get(status, _("not known yet"))
