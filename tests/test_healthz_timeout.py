"""Issue 10 finding 12: a database that accepts but never answers gives 503 quickly."""

import socket
import threading
import time

from wg import create_app
from wg.config import TestConfig


def test_healthz_answers_503_fast_when_the_database_hangs():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept_and_ignore():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])  # accept, never answer
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_ignore, daemon=True)
    thread.start()
    try:
        app = create_app(TestConfig(f"postgresql+psycopg://wg@127.0.0.1:{port}/wg"))
        start = time.monotonic()
        response = app.test_client().get("/healthz")
        elapsed = time.monotonic() - start
        assert response.status_code == 503
        assert response.get_json()["database"] == "down"
        print(f"healthz answered {response.status_code} in {elapsed:.2f} s")
        assert elapsed < 3.0, elapsed
        assert accepted, "the app never reached the hanging server"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
