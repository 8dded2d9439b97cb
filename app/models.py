"""Import every domain's models so that SQLAlchemy and Alembic see the whole schema."""
from app.assignments.models import Assignment  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import PasswordToken, User  # noqa: F401
from app.calibration.models import (  # noqa: F401
    CalibrationPlan,
    CalibrationReference,
    CalibrationReview,
    CalibrationScore,
    CalibrationSettings,
)
from app.cases.models import Case, CaseDocument, CaseVersion  # noqa: F401
from app.cohorts.models import Cohort, Invitation, Membership  # noqa: F401
from app.content.models import StagedUpload  # noqa: F401
from app.exports.models import PlanExport  # noqa: F401
from app.language.models import HintDismissal  # noqa: F401
from app.lti.models import (  # noqa: F401
    LtiContext,
    LtiDeployment,
    LtiKey,
    LtiNonce,
    LtiPlatform,
    LtiResourceLink,
    LtiScoreDelivery,
)
from app.mail.models import OutboxMessage  # noqa: F401
from app.notifications.models import EmailChoice, Notification  # noqa: F401
from app.oidc.models import GroupMapping, Identity  # noqa: F401
from app.plans.models import Plan, PlanVersion, VersionPdf  # noqa: F401
from app.reminders.models import ReminderSent  # noqa: F401
from app.reviews.models import (  # noqa: F401
    AnchoredComment,
    CommentBankEntry,
    CriterionScore,
    FeedbackReply,
    Reflection,
    Review,
    RevisionIntention,
    SecondOpinion,
    SecondOpinionScore,
)
from app.rubrics.models import Rubric, RubricVersion  # noqa: F401
