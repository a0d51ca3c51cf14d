"""`make bench`: generate a data set, serve it with gunicorn, measure the main pages.

    python -m bench.run [--scale 10] [--compare-scale 1] [--duration 15] [--clients 8]
                        [--requests 60] [--writers 8] [--writes 25] [--only structure,csv]
                        [--database sqlite:///path] [--out bench/RESULTS.md] [--smoke]

`--only` measures the pages whose name contains one of the words (and skips the concurrent
writers unless "writers" is one of them); `--database` reuses an existing data set instead of
generating one (for profiling rounds; the report then says so).

SQLite by default (a fresh file); PostgreSQL too when BENCH_DATABASE_URL is set (its schema
is emptied first). BENCH_SCALE sets the default of --scale (`make bench BENCH_SCALE=100`).
Only loopback traffic, bounded in count and time.
"""

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "coalition-demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(args, env, check=True):
    return subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          check=check, capture_output=True, text=True)


def fresh_database(kind, tmp):
    if kind == "sqlite":
        return f"sqlite:///{tmp}/bench.sqlite3"
    url = os.environ["BENCH_DATABASE_URL"]
    from sqlalchemy import create_engine, text

    from wg.config import normalize_database_url

    url = normalize_database_url(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def generate(url, scale, env):
    env = dict(env, DATABASE_URL=url)
    flask(["db", "upgrade"], env)
    started = time.monotonic()
    result = flask(["wg", "demo", "--scale", str(scale)], env)
    took = time.monotonic() - started
    summary = [line for line in result.stdout.splitlines() if " in " in line and "," in line]
    return took, (summary[0] if summary else result.stdout.strip().splitlines()[0])


def analyze(url):
    """VACUUM ANALYZE a PostgreSQL data set before measuring it (autovacuum may be off, and an
    existing data set given by --database may never have been analysed): pages are otherwise
    planned without statistics. `wg demo` does it too; doing it again is cheap and covers
    --database. SQLite: nothing."""
    if not url.startswith("postgres"):
        return
    from sqlalchemy import create_engine, text

    from wg.config import normalize_database_url

    engine = create_engine(normalize_database_url(url), isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"  VACUUM ANALYZE in {time.monotonic() - started:.1f} s", flush=True)


class Client:
    """A logged-in browser-like client (cookies, CSRF tokens) over loopback HTTP."""

    TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def token(self, html):
        match = self.TOKEN.search(html)
        return match.group(1) if match else ""

    def login(self, email):
        _, _, html = self.request("/login")
        status, _, _ = self.request("/login", {"csrf_token": self.token(html), "email": email,
                                               "password": DEMO_PASSWORD})
        if status != 302:
            raise RuntimeError(f"could not log in as {email} (HTTP {status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Figures:
    name: str
    budget: float
    p95_budget: float | None
    latencies: list = field(default_factory=list)
    queries: set = field(default_factory=set)
    statuses: set = field(default_factory=set)
    throughput: float = 0.0
    queries_small: set = field(default_factory=set)

    @property
    def median(self):
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def resolve(scenario, url):
    """The concrete path of a scenario, looked up in the data set when it is a function."""
    if isinstance(scenario.path, str):
        return scenario.path
    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db

    app = create_app(TestConfig(url))
    with app.app_context():
        path = scenario.path(db.session)
        db.engine.dispose()
    return path


def one(client, scenario, path, url):
    t0 = time.perf_counter()
    if scenario.method == "POST":
        status, headers, html = client.request(path.rsplit("/", 1)[0])  # the form's page
        data = scenario.form(url, html)
        t0 = time.perf_counter()
        status, headers, _ = client.request(path, data)
    else:
        status, headers, _ = client.request(path)
    elapsed = (time.perf_counter() - t0) * 1000
    return status, elapsed, int(headers.get("X-Query-Count", "-1"))


def measure(base, url, scenarios, requests, clients, duration, warmup=5):
    results = []
    logged_in = {}
    for scenario in scenarios:
        client = logged_in.get(scenario.user)
        if client is None:
            client = logged_in[scenario.user] = Client(base)
            client.login(scenario.user)
        path = resolve(scenario, url)
        fig = Figures(scenario.name, scenario.budget_median_ms, scenario.budget_p95_ms)
        for _ in range(warmup):
            one(client, scenario, path, url)
        for _ in range(requests):
            status, elapsed, queries = one(client, scenario, path, url)
            fig.latencies.append(elapsed)
            fig.queries.add(queries)
            fig.statuses.add(status)
        fig.throughput = throughput(base, scenario, path, url, clients, duration)
        results.append(fig)
        print(f"  {scenario.name:<40} median {fig.median:7.1f} ms  p95 {fig.p95:7.1f} ms  "
              f"queries {sorted(fig.queries)}  {fig.throughput:6.1f} req/s  HTTP {sorted(fig.statuses)}",
              flush=True)
    return results


def throughput(base, scenario, path, url, clients, duration):
    """Requests per second with `clients` concurrent clients for `duration` seconds."""
    if duration <= 0:
        return 0.0
    sessions = []
    for _ in range(clients):
        c = Client(base)
        c.login(scenario.user)
        sessions.append(c)
    counts = [0] * clients
    deadline = time.monotonic() + duration

    def loop(i):
        while time.monotonic() < deadline:
            one(sessions[i], scenario, path, url)
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / duration


def query_counts(url, scenarios):
    """SQL statements per request for each scenario, counted in-process."""
    from sqlalchemy import event

    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db

    config = TestConfig(url)
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    counts = {}
    with app.app_context():
        engine = db.engine
    box = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def count(*args):
        box["n"] += 1

    clients = {}
    for scenario in scenarios:
        if scenario.method != "GET":
            continue
        client = clients.get(scenario.user)
        if client is None:
            client = clients[scenario.user] = app.test_client()
            client.post("/login", data={"email": scenario.user, "password": DEMO_PASSWORD})
        path = resolve(scenario, url)
        client.get(path)
        box["n"] = 0
        client.get(path)
        counts[scenario.name] = box["n"]
    with app.app_context():
        db.engine.dispose()
    return counts


def concurrent_writers(base, url, writers, writes):
    """`writers` clients, each on its own open action of SWG1.1, post `writes` progress entries
    at once (one group: they all move the same group's rollup rows). Only the POSTs are timed;
    each client knows its action's next version, so no page is read between two writes."""
    from bench.scenarios import swg11_open_actions
    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db

    app = create_app(TestConfig(url))
    with app.app_context():
        action_ids = swg11_open_actions(db.session, writers)
        db.engine.dispose()
    clients = []
    for action_id in action_ids:
        client = Client(base)
        client.login("chair@example.org")
        _, _, html = client.request(f"/actions/{action_id}")
        version = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
            r'value="(\d+)"[^>]*name="version"', html)
        clients.append([client, action_id, client.token(html), int(version.group(1))])
    latencies, statuses = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def loop(entry):
        client, action_id, token, version = entry
        barrier.wait()
        for i in range(writes):
            data = {"csrf_token": token, "version": str(version), "status": "in_progress",
                    "progress": str((version + i) % 90 + 5), "note": "Concurrent writer",
                    "next": ""}
            t0 = time.perf_counter()
            status, _, _ = client.request(f"/actions/{action_id}/progress", data)
            elapsed = (time.perf_counter() - t0) * 1000
            version += 1
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(entry,)) for entry in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    fig = Figures(f"progress update, {len(clients)} writers in one group", 50, 150)
    fig.latencies = latencies
    fig.statuses = set(statuses)
    fig.throughput = len(latencies) / took if took else 0.0
    return fig


def rollups_exact(url):
    """`flask wg check-rollups` in-process: [] when the kept figures equal a recount."""
    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db
    from wg.rollups import summary

    app = create_app(TestConfig(url))
    with app.app_context():
        differences = summary.check()
        db.session.rollback()
        db.engine.dispose()
    return differences


def csv_rows_per_second(base, figures):
    """Rows in the measured CSV export and the rows per second at its median."""
    fig = next((f for f in figures if f.name.startswith("CSV export")), None)
    if fig is None or not fig.latencies:
        return None
    client = Client(base)
    client.login("chair@example.org")
    _, _, body = client.request("/actions/export.csv?group=swg1-1")
    rows = max(0, body.count("\n") - 1)
    return rows, rows / (fig.median / 1000) if fig.median else 0.0


def worker_rss(master_pid):
    """RSS in MB of each gunicorn worker (children of the master)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
    return sizes


def serve(url, env, workers=2):
    port = free_port()
    env = dict(env, DATABASE_URL=url, WG_QUERY_COUNT_HEADER="1", RATELIMIT_ENABLED="0")
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    proc = subprocess.Popen([gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return cpu, os.cpu_count()


def versions():
    from importlib.metadata import version

    out = {"Python": platform.python_version(), "Flask": version("flask"),
           "SQLAlchemy": version("sqlalchemy")}
    try:
        import sqlite3

        out["SQLite"] = sqlite3.sqlite_version
    except ImportError:
        pass
    out["gunicorn"] = version("gunicorn")
    return out


def run_backend(kind, args, scenarios, env):
    with tempfile.TemporaryDirectory(prefix="wg-bench-") as tmp:
        if args.database:
            url, gen_time, gen_summary = args.database, 0.0, f"existing data set {args.database}"
        else:
            url = fresh_database(kind, tmp)
            print(f"[{kind}] generating scale {args.scale} ...", flush=True)
            gen_time, gen_summary = generate(url, args.scale, env)
        print(f"[{kind}] {gen_summary} (generation {gen_time:.1f} s)", flush=True)
        analyze(url)
        big_counts = query_counts(url, scenarios)
        proc, base = serve(url, env)
        extra = {}
        try:
            figures = measure(base, url, scenarios, args.requests, args.clients, args.duration)
            csv = csv_rows_per_second(base, figures)
            if csv:
                extra["CSV export rows per second (median request)"] = (
                    f"{csv[1]:,.0f} rows/s ({csv[0]:,} rows)")
            if args.writers and args.writes:
                fig = concurrent_writers(base, url, args.writers, args.writes)
                figures.append(fig)
                print(f"  {fig.name:<40} median {fig.median:7.1f} ms  p95 {fig.p95:7.1f} ms  "
                      f"{fig.throughput:6.1f} writes/s  HTTP {sorted(fig.statuses)}", flush=True)
                differences = rollups_exact(url)
                extra["rollups after the concurrent writers (check-rollups)"] = (
                    "exact" if not differences else f"{len(differences)} difference(s): "
                    + "; ".join(differences[:3]))
            rss = worker_rss(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        from bench import extras

        extra.update(extras.after_measure(url, figures))
        extra.update(extras.markdown_hostile())
        small_counts = {}
        if args.compare_scale and not args.database:
            small_url = (f"sqlite:///{tmp}/small.sqlite3" if kind == "sqlite"
                         else fresh_database(kind, tmp))
            generate(small_url, args.compare_scale, env)
            small_counts = query_counts(small_url, scenarios)
        return {"kind": kind, "gen_time": gen_time, "gen_summary": gen_summary, "figures": figures,
                "rss": rss, "big_counts": big_counts, "small_counts": small_counts, "extra": extra}


def report(results, args, command):
    cpu, cores = machine()
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- Machine: {cores} cores, {cpu}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
        f"- Server: gunicorn, 2 sync workers, on 127.0.0.1; {args.requests} sequential requests "
        f"per page after 5 warm-up requests; throughput with {args.clients} concurrent clients "
        f"for {args.duration} s.",
        "",
    ]
    for r in results:
        lines += [
            f"## {r['kind']}",
            "",
            f"Data set (scale {args.scale}): {r['gen_summary']}; generated in {r['gen_time']:.1f} s.",
            "",
            f"| page | median ms | p95 ms | budget (median) | SQL queries at scale {args.scale} | "
            f"at scale {args.compare_scale} | req/s ({args.clients} clients) | HTTP |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for f in r["figures"]:
            ok = "✅" if f.median <= f.budget and (f.p95_budget is None or f.p95 <= f.p95_budget) else "❌"
            budget = f"{f.budget:.0f}" + (f" (p95 {f.p95_budget:.0f})" if f.p95_budget else "")
            lines.append(
                f"| {f.name} | {f.median:.1f} | {f.p95:.1f} | {budget} {ok} | "
                f"{r['big_counts'].get(f.name, max(f.queries, default='–'))} | "
                f"{r['small_counts'].get(f.name, '–')} | "
                f"{f.throughput:.0f} | {', '.join(map(str, sorted(f.statuses)))} |")
        rss = ", ".join(f"{x:.0f} MB" for x in r["rss"]) or "n/a"
        lines += ["", f"Worker RSS after the run: {rss} (budget 120 MB).", ""]
        for key, value in (r["extra"] or {}).items():
            lines += [f"- {key}: {value}"]
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    # `make bench BENCH_SCALE=100 BENCH_DATABASE_URL=...` passes the scale through make.
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE") or 10))
    parser.add_argument("--compare-scale", type=float, default=1)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--writers", type=int, default=8,
                        help="concurrent progress writers in one group (0: none)")
    parser.add_argument("--writes", type=int, default=25, help="progress entries per writer")
    parser.add_argument("--only", default="",
                        help="comma-separated words: measure only the pages whose name has one")
    parser.add_argument("--database", default="",
                        help="measure this existing SQLite/PostgreSQL data set (no generation)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--smoke", action="store_true",
                        help="tiny data set and few requests: checks the harness, not the speed")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale, args.compare_scale, args.duration, args.requests, args.clients = 0.02, 0.01, 1, 3, 2
        args.writers, args.writes = 2, 3
    from bench.scenarios import SCENARIOS

    if args.only:
        words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        SCENARIOS = [s for s in SCENARIOS if any(w in s.name.lower() for w in words)]
        if "writers" not in words:
            args.writers = 0

    env = dict(os.environ, SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
    env.pop("TEST_DATABASE_URL", None)
    if args.database:
        backends = ["postgresql" if args.database.startswith("postgres") else "sqlite"]
    else:
        backends = ["sqlite"] + (["postgresql"] if os.environ.get("BENCH_DATABASE_URL") else [])
    results = [run_backend(kind, args, SCENARIOS, env) for kind in backends]
    command = "make bench" if not argv and not args.smoke else "python -m bench.run " + " ".join(argv or sys.argv[1:])
    text = report(results, args, command)
    Path(args.out).write_text(text)
    print(f"\nWrote {args.out}")
    return results


if __name__ == "__main__":
    main()
