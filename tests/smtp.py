"""A real SMTP server (aiosmtpd) on loopback that records what it accepts."""

import socket
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingHandler:
    """Accepts mail; refuses recipients at refuse.example.org (550) and defer.example.org (451)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.hold = set()  # recipients whose RCPT is not answered until `release` is set
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.hold:
            import asyncio

            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        if address.endswith("@refuse.example.org"):
            return "550 5.1.1 No such user here"
        if address.endswith("@defer.example.org"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def keys(self):
        with self.lock:
            return [m["X-WG-Key"] for m in self.messages]


@pytest.fixture()
def smtp_server():
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    handler.release.set()
    controller.stop()
