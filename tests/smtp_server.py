"""A local SMTP server for the tests (aiosmtpd), which can refuse the next messages with a 4xx answer as a busy
server does."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self) -> None:
        self.received: list = []  # email.message.Message, in the order accepted
        self.attempts = 0
        self.refuse_next = 0
        self.port = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Busy, try again later"
            self.received.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSmtp:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = self.recorder.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> FakeSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
