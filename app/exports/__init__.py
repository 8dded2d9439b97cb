"""A cohort's plans for one assignment as one zip file: each frozen version's files, the dashboard's CSV and a
README. Built in steps, so a page, or a job queue, can carry it on and show how far it has come."""
