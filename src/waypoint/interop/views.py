"""The roster upload page: a district admin sends a OneRoster zip; a background job imports it."""

from __future__ import annotations

import uuid
import zipfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from waypoint.access.selectors import NotVisible
from waypoint.interop.oneroster.jobs import KIND
from waypoint.jobs.selectors import job_list
from waypoint.jobs.services import start_job
from waypoint.roster.models import District
from waypoint.web.context import get_viewer

MAX_UPLOAD_MB = int(getattr(settings, "WAYPOINT_MAX_UPLOAD_MB", 1024))


class RosterUploadForm(forms.Form):
    package = forms.FileField(
        label="OneRoster zip file",
        help_text="A zip of the OneRoster 1.1 or 1.2 CSV files, with manifest.csv, and any "
        "companion files (programs.csv, staff_links.csv).",
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run: check the files and show the plan, change nothing"
    )
    allow_mass_deactivation = forms.BooleanField(
        required=False, label="Allow deactivating more than 10% of active learners"
    )

    def clean_package(self) -> Any:
        upload = self.cleaned_data["package"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_MB} MB.")
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError("This is not a zip file. Zip the OneRoster CSV files.")
        upload.seek(0)
        return upload


@login_required
def roster_upload(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    if not viewer.is_district_admin:
        raise NotVisible()
    district = District.objects.get(pk=viewer.district_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder = settings.UPLOAD_DIR / str(district.pk)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.zip"
        with path.open("wb") as out:
            for chunk in form.cleaned_data["package"].chunks():
                out.write(chunk)
        name = form.cleaned_data["package"].name
        job = start_job(
            kind=KIND,
            title=f"Roster import: {name}" + (" (dry run)" if form.cleaned_data["dry_run"] else ""),
            district=district,
            user=request.user,
            params={
                "path": str(path),
                "filename": name,
                "dry_run": form.cleaned_data["dry_run"],
                "allow_mass_deactivation": form.cleaned_data["allow_mass_deactivation"],
            },
        )
        return redirect("job-detail", job_id=job.pk)
    recent = job_list(viewer=viewer).filter(kind=KIND)[:10]
    return render(
        request,
        "interop/roster_upload.html",
        {"form": form, "recent": recent, "district": district},
    )
