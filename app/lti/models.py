"""LTI 1.3: the platforms (Canvas, Moodle, …) registered with this tool, their deployments, the LMS courses and
resource links they launch from, the tool's own signing keys, and the scores waiting to go back to a platform."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cohorts.models import ROLE_COLUMN, Role
from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow


class LtiPlatform(CreatedAtMixin, Model):
    """A learning platform registered with this tool: its issuer and the client id it gave this tool, and where to
    send people to sign in, where to ask for service tokens and where its public keys are."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    issuer: Mapped[str] = mapped_column(String(255), nullable=False)
    client_id: Mapped[str] = mapped_column(String(255), nullable=False)
    auth_login_url: Mapped[str] = mapped_column(String(500), nullable=False)  # the platform's OIDC authorisation end
    auth_token_url: Mapped[str] = mapped_column(String(500), nullable=False)  # OAuth 2 client-credentials tokens
    key_set_url: Mapped[str] = mapped_column(String(500), nullable=False)  # the platform's JWKS
    auth_audience: Mapped[str | None] = mapped_column(String(500))  # the token endpoint's audience, when it differs
    # The cohort role an LMS Instructor or TeachingAssistant gets (Learner → student, Administrator → leader).
    staff_role: Mapped[Role] = mapped_column(Enum(Role, name="lti_staff_role", **ROLE_COLUMN), default=Role.instructor,
                                             nullable=False)
    # Whether released feedback sends a score derived from the rubric, not only activity and grading progress.
    send_scores: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    deployments = relationship("LtiDeployment", back_populates="platform", cascade="all, delete-orphan",
                               order_by="LtiDeployment.id")


class LtiDeployment(CreatedAtMixin, Model):
    """One installation of the tool in a platform (Canvas: per account or course). A launch from a deployment that
    is not listed here is refused."""

    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True,
                                             nullable=False)
    deployment_id: Mapped[str] = mapped_column(String(255), nullable=False)

    platform = relationship("LtiPlatform", back_populates="deployments")


class LtiContext(CreatedAtMixin, Model):
    """An LMS course and the cohort it fills. Its roster service (NRPS) is remembered from the latest launch."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True,
                                             nullable=False)
    deployment_id: Mapped[str] = mapped_column(String(255), nullable=False)
    context_id: Mapped[str] = mapped_column(String(255), nullable=False)
    title: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True, nullable=False)
    memberships_url: Mapped[str | None] = mapped_column(String(500))  # NRPS context_memberships_url
    lineitems_url: Mapped[str | None] = mapped_column(String(500))  # AGS line items of the course
    ags_scopes: Mapped[list | None] = mapped_column(JSON)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the latest roster sync failed ("" after one that worked), and when it failed.
    roster_error: Mapped[str] = mapped_column(Text, default="", server_default="", nullable=False)
    roster_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    platform = relationship("LtiPlatform")
    cohort = relationship("Cohort")


class LtiResourceLink(CreatedAtMixin, Model):
    """A link in an LMS course that opens one assignment here, with the line item (graded column) it reports to."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"), index=True,
                                            nullable=False)
    resource_link_id: Mapped[str] = mapped_column(String(255), nullable=False)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    lineitem_url: Mapped[str | None] = mapped_column(String(500))

    context = relationship("LtiContext")
    assignment = relationship("Assignment")


class LtiKey(CreatedAtMixin, Model):
    """The tool's own RSA signing keys: the newest active key signs; every active key is published at /lti/jwks so
    that a platform can still check what an older key signed while a new one is brought in."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    private_pem: Mapped[str] = mapped_column(Text, nullable=False)
    public_pem: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class LtiNonce(Model):
    """A launch's nonce, kept until it expires so that the same id_token is never accepted twice."""

    __tablename__ = "lti_nonces"

    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, nullable=False)


class LtiScoreDelivery(CreatedAtMixin, Model):
    """A score (or activity and grading progress) on its way to a platform's line item: written in the request that
    released or completed the feedback, sent by a task after the commit, retried with backoff until it is accepted.
    A course leader sees the ones that failed."""

    __tablename__ = "lti_score_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"), index=True,
                                                  nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)  # the AGS score object
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True, nullable=False)
    last_error: Mapped[str] = mapped_column(Text, default="", nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resource_link = relationship("LtiResourceLink")
