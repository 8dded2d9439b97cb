"""Course groups -> cohorts. With the scope groups-edu, Feide's groups API lists the FS courses (emne) and terms a
person belongs to and in which role. A course leader maps a group to their cohort once; at each sign-in the roles
of the mapped groups are added, and roles that came from a group the person has left are removed (their plans and
reviews stay). A membership given by hand is never changed here."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from flask import current_app
from flask_babel import gettext as _

from app.audit.services import record
from app.auth.models import User
from app.cohorts.models import Cohort, Membership, Role
from app.cohorts.services import add_member, change_role, remove_member
from app.db import db
from app.errors import ValidationError
from app.oidc.models import GroupMapping

STUDENT = "student"
STAFF = "staff"
STAFF_AFFILIATIONS = {"faculty", "staff", "employee"}
STAFF_BASIC = {"admin", "owner"}
RANK = {Role.student: 0, Role.instructor: 1, Role.leader: 2}


def membership_kind(membership: Any) -> str | None:
    """"student" or "staff" for a group membership as the groups API describes it, None for an inactive one."""
    if not isinstance(membership, Mapping) or membership.get("active") is False:
        return None
    affiliation = membership.get("affiliation") or []
    affiliations = {affiliation.lower()} if isinstance(affiliation, str) else {
        str(value).lower() for value in affiliation if isinstance(value, str)}
    if affiliations & STAFF_AFFILIATIONS or str(membership.get("basic", "")).lower() in STAFF_BASIC:
        return STAFF
    if STUDENT in affiliations or str(membership.get("basic", "")).lower() == "member":
        return STUDENT
    return None


def fetch_group_kinds(access_token: str) -> dict[str, str] | None:
    """Each group of the person with their kind of membership; None when the API is not set or did not answer (then
    nothing is added or removed at this sign-in)."""
    url = current_app.config.get("FEIDE_GROUPS_URL")
    if not url or not access_token:
        return None
    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=current_app.config["FEIDE_TIMEOUT"])
        response.raise_for_status()
        groups = response.json()
    except (requests.RequestException, ValueError) as exc:
        current_app.logger.warning("The groups API did not answer: %s", exc)
        return None
    if not isinstance(groups, list):
        current_app.logger.warning("The groups API answered with something other than a list")
        return None
    kinds = {}
    for group in groups:
        if isinstance(group, Mapping) and isinstance(group.get("id"), str):
            kind = membership_kind(group.get("membership"))
            if kind:
                kinds[group["id"][:255]] = kind
    return kinds


def mapped_only(kinds: dict[str, str] | None) -> dict[str, str] | None:
    """Only the groups some cohort is mapped to (what is worth keeping until an account is linked)."""
    if kinds is None:
        return None
    mapped = set(db.session.scalars(db.select(GroupMapping.group_id).where(GroupMapping.group_id.in_(list(kinds)))))
    return {group: kind for group, kind in kinds.items() if group in mapped}


def role_for(mapping: GroupMapping, kind: str) -> Role | None:
    return mapping.staff_role if kind == STAFF else mapping.student_role


def sync_memberships(user: User, kinds: dict[str, str] | None) -> dict[str, int]:
    """Bring the person's memberships that come from course groups in line with their groups now. Returns how many
    were added, changed and removed."""
    done = {"added": 0, "changed": 0, "removed": 0}
    if kinds is None:
        return done
    wanted: dict[int, tuple[Role, str]] = {}
    mappings: list[GroupMapping] = list(db.session.scalars(
        db.select(GroupMapping).where(GroupMapping.group_id.in_(list(kinds))).order_by(GroupMapping.id)))
    for mapping in mappings:
        role = role_for(mapping, kinds[mapping.group_id])
        if role is not None and (mapping.cohort_id not in wanted or RANK[role] > RANK[wanted[mapping.cohort_id][0]]):
            wanted[mapping.cohort_id] = (role, mapping.group_id)
    current = {member.cohort_id: member for member in db.session.scalars(
        db.select(Membership).where(Membership.user_id == user.id))}
    # Only memberships that came from a course group mapped to their cohort are the groups' to change: others were
    # given by hand or came from elsewhere (an LMS course's roster).
    from_groups = {(cohort_id, group_id) for cohort_id, group_id in db.session.execute(
        db.select(GroupMapping.cohort_id, GroupMapping.group_id).where(GroupMapping.cohort_id.in_(list(current))))}

    def from_a_group(member: Membership) -> bool:
        return (member.cohort_id, member.source_group) in from_groups

    for cohort_id, (role, group_id) in wanted.items():
        member = current.get(cohort_id)
        if member is None:
            cohort = db.session.get_one(Cohort, cohort_id)
            member = add_member(cohort, user, role, actor=user)
            member.source_group = group_id
            done["added"] += 1
        elif from_a_group(member):
            if member.role != role:
                try:
                    change_role(member, role, actor=user)
                except ValidationError:  # the cohort's last course leader keeps that role
                    continue
                done["changed"] += 1
            member.source_group = group_id
    for cohort_id, member in current.items():
        if from_a_group(member) and cohort_id not in wanted:
            try:
                remove_member(member, actor=user)
            except ValidationError:  # the cohort's last course leader stays
                continue
            done["removed"] += 1
    db.session.flush()
    return done


# --- the course leader's mappings ------------------------------------------------------------------------------

def mappings_of(cohort: Cohort) -> list[GroupMapping]:
    return list(db.session.scalars(db.select(GroupMapping).where(GroupMapping.cohort_id == cohort.id)
                                   .order_by(GroupMapping.group_id)))


def add_mapping(cohort: Cohort, group_id: str, student_role: Role | None, staff_role: Role | None, *,
                actor: User) -> GroupMapping:
    group_id = "".join((group_id or "").split())
    if not group_id:
        raise ValidationError(_("Enter the group's id, like fs:fc:emne:uio.no:MED4500:1."))
    if len(group_id) > 255:
        raise ValidationError(_("A group id has at most 255 characters."))
    if student_role is None and staff_role is None:
        raise ValidationError(_("Choose a role for the group's students, its teachers, or both."))
    if db.session.scalar(db.select(GroupMapping.id).where(GroupMapping.cohort_id == cohort.id,
                                                          GroupMapping.group_id == group_id)) is not None:
        raise ValidationError(_("This group is already mapped to this cohort."))
    mapping = GroupMapping(cohort_id=cohort.id, group_id=group_id, student_role=student_role, staff_role=staff_role,
                           created_by_id=actor.id)
    db.session.add(mapping)
    db.session.flush()
    record("cohort.group_mapped", actor=actor, cohort=cohort, subject=cohort, group=group_id,
           student_role=student_role.value if student_role else None,
           staff_role=staff_role.value if staff_role else None)
    return mapping


def members_from(mapping: GroupMapping) -> int:
    return db.session.scalar(db.select(db.func.count(Membership.id)).where(
        Membership.cohort_id == mapping.cohort_id, Membership.source_group == mapping.group_id)) or 0


def remove_mapping(mapping: GroupMapping, *, actor: User) -> int:
    """The mapping goes; the people it brought in stay, as if added by hand. Returns how many that were."""
    kept = list(db.session.scalars(db.select(Membership).where(
        Membership.cohort_id == mapping.cohort_id, Membership.source_group == mapping.group_id)))
    for member in kept:
        member.source_group = None
    record("cohort.group_unmapped", actor=actor, cohort=mapping.cohort, subject=mapping.cohort,
           group=mapping.group_id, kept=len(kept))
    db.session.delete(mapping)
    db.session.flush()
    return len(kept)
