"""What happens to a plan, told to whoever listens (blinker, as Flask's own signals).

The plans domain sends these and knows nothing of who listens: the audit log records each transition, the language
assistant keeps the hints of a submitted version, notifications tell the reviewer. Receivers run in the sender's
transaction, before the caller commits; a receiver that raises undoes the whole change."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the plan; action, actor, source and target states, and the details of the change (version, reviewer_id…)
plan_transitioned = _signals.signal("plan-transitioned")
# sender: the plan; version (the new, frozen PlanVersion), actor
plan_submitted = _signals.signal("plan-submitted")
# sender: the plan, whose student is about to submit its next version; each receiver answers a list of what the
# student has left undone that the reviewer will look for (warnings to show before confirming: submitting stays
# allowed)
submission_checked = _signals.signal("submission-checked")
# sender: the plan, whose latest version's feedback is about to be released (release or complete); each receiver
# answers why it cannot be released now (a message) or None. One reason refuses the transition.
release_checked = _signals.signal("release-checked")
# sender: the plan; opinion (the second opinion on its version in review), action (a SecondOpinionAction), actor,
# source and target sub-states (source None for a new request), details
second_opinion_transitioned = _signals.signal("second-opinion-transitioned")
