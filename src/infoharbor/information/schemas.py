"""How the information kinds' details look in the API."""

import datetime as dt

from ninja import Schema

from infoharbor.information.choices import InForce, NoticeType, PolicyType


class NewsDetails(Schema):
    notice_type: NoticeType = NoticeType.NEWS


class PolicyDetails(Schema):
    policy_type: PolicyType
    document_number: str = ""
    issuing_body: str = ""
    effective_date: dt.date | None = None
    in_force: InForce = InForce.IN_FORCE
