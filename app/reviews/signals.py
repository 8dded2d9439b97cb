"""What happens in reviewing, told to whoever listens (notifications, so far). Receivers run in the sender's
transaction, before the caller commits."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the plan; reviewer (the new one), previous (the one before, or None), actor
reviewer_changed = _signals.signal("reviewer-changed")
# sender: the plan; review, version, actor, completed (True when releasing it also closed the plan)
feedback_released = _signals.signal("feedback-released")
# sender: the plan; actor. Asked before someone claims a plan or starts its review: each receiver answers with a list
# of {"message", "link", "label"}, what stands in the way (empty: nothing). Read only, nothing is changed.
review_checked = _signals.signal("review-checked")
# sender: the plan; review (released), reply (the student's new FeedbackReply), actor
feedback_replied = _signals.signal("feedback-replied")
