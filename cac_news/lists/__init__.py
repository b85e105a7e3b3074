"""Discussion lists: members write to one address, the worker sends each post to every
member over the letters' relays, pilots moderate, the archive keeps the threads."""

from __future__ import annotations


def register_mail() -> None:
    """Let the worker send list posts and invitations, and run the lists' periodic tasks."""
    from cac_news.audience import outbox
    from cac_news.lists import access, distribution, members, moderation
    from cac_news.mailing import worker
    from cac_news.models import OutboxKind

    worker.register_stream(distribution.STREAM)
    worker.register_tick_task(moderation.periodic)
    outbox.register_builder(OutboxKind.LIST_INVITE, members.invitation_mail)
    outbox.register_builder(OutboxKind.LIST_REJECTED, moderation.rejection_mail)
    outbox.register_builder(OutboxKind.LIST_HELD, moderation.held_notice_mail)
    outbox.register_builder(OutboxKind.LIST_ARCHIVE, access.archive_link_mail)
