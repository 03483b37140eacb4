"""Problem reports: a citizen files one (photo kept in the file store), operators read them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from booking.report_rules import Photo, ReportFacts
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import N_, DomainError, NotFound, ValidationFailed
from mobility.models import ProblemReport, Trip, Vehicle
from mobility.storage import FileStore, StoredFile

REPORTS_PER_HOUR = 10  # per person: enough for a bad day, not for filling the store


class TooManyReports(DomainError):
    """The reporter's hourly limit is reached."""

    code = "too_many_reports"
    http_status = 429


class ProblemReports:
    """Filing reports and reading their photos."""

    def __init__(self, db: Database, store: FileStore) -> None:
        self.db = db
        self.store = store

    def file(
        self,
        user_id: int,
        vehicle_id: int,
        facts: ReportFacts,
        photo: Photo | None = None,
        trip_id: int | None = None,
    ) -> ProblemReport:
        """Record a report; its photo is stored first (no upload inside a transaction)."""
        self._check(user_id, vehicle_id, trip_id)
        key = None
        if photo is not None:
            key = f"reports/{uuid.uuid4().hex}.{photo.extension}"
            self.store.put(key, photo.data, photo.content_type)
        try:
            with self.db.transaction() as s:
                report = ProblemReport(
                    user_id=user_id,
                    vehicle_id=vehicle_id,
                    trip_id=trip_id,
                    category=facts.category,
                    safety=facts.safety,
                    description=facts.description,
                    photo_key=key,
                    photo_type=photo.content_type if photo else None,
                    photo_bytes=len(photo.data) if photo else None,
                )
                s.add(report)
                s.flush()
                return report
        except BaseException:
            if key is not None:
                self.store.delete(key)  # the report was not recorded: keep no orphan photo
            raise

    def _check(self, user_id: int, vehicle_id: int, trip_id: int | None) -> None:
        """The vehicle exists, the trip is the reporter's own on it, the hourly limit holds."""
        with self.db.sessions() as s:
            if s.get(Vehicle, vehicle_id) is None:
                raise NotFound(N_("No such vehicle."))
            if trip_id is not None:
                trip = s.get(Trip, trip_id)
                if trip is None or trip.user_id != user_id or trip.vehicle_id != vehicle_id:
                    raise ValidationFailed(N_("That trip is not yours."), field="trip_id")
            recent = s.scalar(
                select(func.count())
                .select_from(ProblemReport)
                .where(
                    ProblemReport.user_id == user_id,
                    ProblemReport.created_at > utcnow() - timedelta(hours=1),
                )
            )
        if (recent or 0) >= REPORTS_PER_HOUR:
            raise TooManyReports(N_("You have sent many reports this hour: try again later."))

    def photo(self, report_id: int) -> StoredFile | None:
        """A report's photo from the store, or None."""
        with self.db.sessions() as s:
            report = s.get(ProblemReport, report_id)
            key = report.photo_key if report else None
        return self.store.get(key) if key else None
