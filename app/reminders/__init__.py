"""Reminders sent on a schedule (Celery beat): a student whose plan is due soon and not submitted, a reviewer whose
reviews are overdue. Each goes through the notifications domain (in the app, and by e-mail per the person's choice),
and a record of each keeps it from being sent twice."""
