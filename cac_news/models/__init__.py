"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from cac_news.models.account import AuditEvent
from cac_news.models.api_token import API_SCOPES, ApiToken
from cac_news.models.archive import ArchivedCopy
from cac_news.models.audience import (
    CONSENT_SOURCES,
    EVENT_SOURCES,
    SUBSCRIBER_STATUSES,
    ParticipationMode,
    Subscriber,
    SubscriptionEvent,
    subscriber_modes,
)
from cac_news.models.bounce import BOUNCE_KINDS, Bounce
from cac_news.models.content import (
    ACTION_KINDS,
    OBJECTIVES,
    ROADMAP_STATUSES,
    ActionReport,
    RoadmapItem,
    RoadmapUpdate,
)
from cac_news.models.delivery import DELIVERY_STATUSES, PENDING_STATUSES, Delivery
from cac_news.models.discussion_list import (
    ARCHIVE_POLICIES,
    DIGEST_MODES,
    POSTING_POLICIES,
    REPLY_POLICIES,
    DiscussionList,
    ListDelivery,
    ListMember,
    ListPost,
)
from cac_news.models.event import Event, EventKind
from cac_news.models.import_job import ImportJob, ImportJobStatus
from cac_news.models.insight import LetterLink, LinkFollowCount
from cac_news.models.media import MediaFile
from cac_news.models.newsletter import (
    NEWSLETTER_STATUSES,
    SECTION_KINDS,
    Newsletter,
    NewsletterSection,
)
from cac_news.models.outbox import OutboxKind, OutboxMail, OutboxStatus, WelcomeRecord
from cac_news.models.pilot import PILOT_ROLES, Pilot, PilotSession, RecoveryCode
from cac_news.models.relay import RelayCircuit, RelayState, SmtpRelay
from cac_news.models.resource import RESOURCE_STATUSES, Resource, ResourceKind
from cac_news.models.segment import (
    SUPPRESSION_REASONS,
    Segment,
    Suppression,
    segment_modes,
    segment_territories,
)
from cac_news.models.settings import SiteSetting
from cac_news.models.territory import Territory
from cac_news.models.webhook import WEBHOOK_DELIVERY_STATUSES, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ARCHIVE_POLICIES",
    "DIGEST_MODES",
    "POSTING_POLICIES",
    "REPLY_POLICIES",
    "DiscussionList",
    "ListDelivery",
    "ListMember",
    "ListPost",
    "Event",
    "EventKind",
    "MediaFile",
    "SiteSetting",
    "WelcomeRecord",
    "ImportJob",
    "ImportJobStatus",
    "API_SCOPES",
    "ApiToken",
    "AuditEvent",
    "RecoveryCode",
    "SiteSetting",
    "RESOURCE_STATUSES",
    "Resource",
    "ResourceKind",
    "OutboxKind",
    "OutboxMail",
    "OutboxStatus",
    "RelayCircuit",
    "RelayState",
    "SmtpRelay",
    "BOUNCE_KINDS",
    "Bounce",
    "DELIVERY_STATUSES",
    "PENDING_STATUSES",
    "Delivery",
    "ACTION_KINDS",
    "NEWSLETTER_STATUSES",
    "OBJECTIVES",
    "ROADMAP_STATUSES",
    "SECTION_KINDS",
    "ActionReport",
    "ArchivedCopy",
    "LetterLink",
    "LinkFollowCount",
    "Newsletter",
    "NewsletterSection",
    "RoadmapItem",
    "RoadmapUpdate",
    "CONSENT_SOURCES",
    "EVENT_SOURCES",
    "PILOT_ROLES",
    "SUBSCRIBER_STATUSES",
    "SUPPRESSION_REASONS",
    "Segment",
    "ParticipationMode",
    "Pilot",
    "PilotSession",
    "Subscriber",
    "SubscriptionEvent",
    "Suppression",
    "Territory",
    "segment_modes",
    "segment_territories",
    "subscriber_modes",
    "WEBHOOK_DELIVERY_STATUSES",
    "WebhookDelivery",
    "WebhookEndpoint",
]
