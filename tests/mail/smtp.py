"""A real SMTP server for the tests: aiosmtpd on loopback, in a thread of its own, whose
handler can be told how to answer (refuse, stall, drop the connection, hold a message)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the server received, and how it answers next.

    ``rcpt``: replies to the next RCPT commands ("450 ...", "550 ...", or "stall": answer
    after ``stall_seconds``; none left: accept).
    ``data``: what to do at the next end of DATA: "accept", a reply such as "451 ..." or
    "554 ...", "drop" (close the connection without answering), "stall" (answer after
    ``stall_seconds``) or "hold" (wait until ``release`` is set, then accept).
    """

    accepted: list[EmailMessage] = field(default_factory=list)
    # Message-IDs in the order their DATA arrived, accepted or not.
    seen: list[str] = field(default_factory=list)
    rcpt: deque[str] = field(default_factory=deque)
    data: deque[str] = field(default_factory=deque)
    stall_seconds: float = 5.0
    release: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            reply = self.rcpt.popleft() if self.rcpt else ""
        if reply == "stall":
            await asyncio.sleep(self.stall_seconds)
        elif reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.seen.append(str(message["Message-ID"]))
            action = self.data.popleft() if self.data else "accept"
        if action == "drop":
            server.transport.close()
            return "421 closing"  # never reaches the client: the connection is gone
        if action == "stall":
            await asyncio.sleep(self.stall_seconds)
        elif action == "hold":
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "421 gone"  # the client died while we held its message
        elif action != "accept":
            return action
        with self.lock:
            self.accepted.append(message)
        return "250 Message accepted for delivery"

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.accepted]


class SMTPServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mailbox.release.set()
        self.controller.stop()
