"""Schema fuzzing: Schemathesis drives every operation of the app's own OpenAPI schema,
in-process over ASGI, as a user of each kind of organisation, and checks each answer
against that schema.

One fuzzing run per engine (a module fixture) collects every check failure; each test
below then asserts on one kind of failure, so that a defect's fix turns exactly one test.

Positive cases carry real ids in their path parameters (a case, payment, attachment,
story and webhook the caller reaches), so that calls get past 404; negative cases are sent
as generated. Bounded: ``TRACKER_FUZZ_EXAMPLES`` examples per operation, kind and mode
(default 6), a deadline per example, and a derandomized (reproducible) run;
``TRACKER_FUZZ_SEED`` changes the seed, e.g. for a longer exploratory run:

    TRACKER_FUZZ_EXAMPLES=50 TRACKER_FUZZ_SEED=7 .venv/bin/pytest tests/reliability/test_schema_fuzzing.py

The multipart upload (POST /api/v1/attachments) is fuzzed too: Schemathesis encodes
``multipart/form-data`` bodies itself.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.python.asgi import shutdown_lifespans

from api.app import create_app
from models.organisations import OrganisationKind
from models.settings import Settings
from tests.conftest import ENGINES, _empty_postgres
from tests.reliability.world import KINDS, RECEIVER_HOST, World, build_apart

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "6"))
SEED = os.environ.get("TRACKER_FUZZ_SEED")
#: A single answer slower than this is a failure (a hang, not a slow machine).
DEADLINE = timedelta(seconds=5)

METHOD_ORDER = {"GET": 0, "DELETE": 2}

CHECKS = {
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "content_type_conformance": content_type_conformance,
    "response_schema_conformance": response_schema_conformance,
    "negative_data_rejection": negative_data_rejection,
}


@dataclass(frozen=True)
class Finding:
    check: str
    operation: str
    kind: str
    mode: str
    status: int | None
    title: str
    curl: str

    def __str__(self) -> str:
        return (
            f"{self.operation} as {self.kind} ({self.mode}) -> {self.status}: "
            f"{self.check}: {self.title}\n    {self.curl[:400]}"
        )


def _run_apart(coroutine) -> Any:
    """Run a coroutine on a loop of its own (in a thread: a test's loop may be running)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module", params=ENGINES)
def fuzz_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """A clean, migrated database of this module's own; no rate limit (fuzzing is a
    burst of thousands of requests per token; tests/api/test_rate_limits.py covers 429)."""
    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        path = folder / "tracker.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        _run_apart(_empty_postgres(url))
    return Settings(
        database_url=url, data_dir=Path(folder), rate_limit=0, webhook_http_hosts=RECEIVER_HOST
    )


def _drops_authorization(case: schemathesis.Case) -> bool:
    """A negative case whose mutation is the Authorization header (missing or malformed):
    it must go out as generated, not with the caller's real token over it."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    mutations = getattr(meta.phase.data, "mutations", ())
    return any(str(getattr(m, "parameter", "") or "").lower() == "authorization" for m in mutations)


def _curl(case: schemathesis.Case, headers: dict[str, str]) -> str:
    try:
        return case.as_curl_command(headers=headers)
    except Exception as error:  # noqa: BLE001 - only a repro hint
        return f"<no curl: {error!r}>"


class Fuzzer:
    def __init__(self, schema: Any, world: World) -> None:
        self.schema, self.world = schema, world
        self.findings: list[Finding] = []
        self.requests = 0
        #: Status codes answered, by operation.
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)

    def _record(self, check: str, case, kind, mode, status, title, headers) -> None:
        self.findings.append(
            Finding(
                check=check,
                operation=case.operation.label,
                kind=kind.value,
                mode=mode.value,
                status=status,
                title=title,
                curl=_curl(case, headers),
            )
        )

    def _send(
        self, case: schemathesis.Case, kind: OrganisationKind, mode: GenerationMode, **kwargs
    ) -> None:
        headers = {} if _drops_authorization(case) else self.world.headers(kind)
        self.requests += 1
        try:
            response = case.call(headers=headers, **kwargs)
        except Exception as error:  # noqa: BLE001 - the app raised through the transport
            self._record("not_a_server_error", case, kind, mode, None, repr(error), headers)
            return
        self.statuses[case.operation.label][response.status_code] += 1
        for name, check in CHECKS.items():
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    title = f"{failure.title}: {' | '.join(failure.message.splitlines()[:3])}"
                    self._record(name, case, kind, mode, response.status_code, title, headers)

    def run(self) -> None:
        operations = [result.ok() for result in self.schema.get_all_operations()]
        # Reads first, deletions last: a webhook deleted early would leave its deliveries 404.
        operations.sort(key=lambda operation: METHOD_ORDER.get(operation.method.upper(), 1))
        for operation in operations:
            for kind in KINDS:
                names = {parameter.name for parameter in operation.path_parameters}
                ids = self.world.path_parameters(kind)
                real_ids = {name: ids[name] for name in names if name in ids}
                for mode in GenerationMode:
                    fixed = real_ids if mode is GenerationMode.POSITIVE and real_ids else None
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                    self._explore(strategy, kind, mode, operation.label)
                if "application/json" in [body.media_type for body in operation.body]:
                    self._send_unreadable_json(operation, kind, real_ids)

    def _send_unreadable_json(self, operation, kind, real_ids) -> None:
        """One body that is not JSON at all (a 400), whatever the fuzzing happened to try."""
        if {parameter.name for parameter in operation.path_parameters} - set(real_ids):
            return
        case = operation.Case(path_parameters=real_ids, body={}, media_type="application/json")
        self._send(case, kind, GenerationMode.NEGATIVE, data=b"not json")

    def _explore(self, strategy, kind, mode, label: str) -> None:
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=DEADLINE,
            derandomize=SEED is None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @given(case=strategy)
        def explore(case: schemathesis.Case) -> None:
            self._send(case, kind, mode)

        if SEED is not None:
            explore = hypothesis.seed(int(SEED))(explore)
        try:
            explore()
        except hypothesis.errors.Unsatisfiable:
            pass  # e.g. no negative version of GET /health: it has no parameters
        except (hypothesis.errors.DeadlineExceeded, hypothesis.errors.FlakyFailure) as slow:
            self.findings.append(
                Finding("deadline", label, kind.value, mode.value, None, repr(slow)[:300], "<slow>")
            )


@pytest.fixture(scope="module")
def fuzzed(fuzz_settings: Settings) -> Fuzzer:
    world = _run_apart(build_apart(fuzz_settings))
    app = create_app(fuzz_settings)
    schema = schemathesis.openapi.from_asgi(
        "/schema/openapi.json", app, config=SchemathesisConfig()
    )
    fuzzer = Fuzzer(schema, world)
    try:
        fuzzer.run()
    finally:
        shutdown_lifespans()  # the app's lifespan: closes its database connection
    assert fuzzer.requests >= len(fuzzer.statuses) * len(KINDS) * EXAMPLES, fuzzer.requests
    return fuzzer


def _report(findings: list[Finding], keep: Callable[[Finding], bool]) -> list[str]:
    """One line per distinct (check, operation, status), with one request that shows it."""
    distinct: dict[tuple[str, str, int | None], Finding] = {}
    for finding in findings:
        if keep(finding):
            distinct.setdefault((finding.check, finding.operation, finding.status), finding)
    return [str(finding) for _, finding in sorted(distinct.items(), key=lambda item: str(item[0]))]


def _is_success(finding: Finding) -> bool:
    return finding.status is not None and finding.status < 400


def test_no_server_error_and_no_hang(fuzzed: Fuzzer):
    """A 5xx is always a defect (docs/api.md); so is an answer slower than the deadline."""
    found = _report(fuzzed.findings, lambda f: f.check in ("not_a_server_error", "deadline"))
    assert found == [], "\n".join(found)


def test_invalid_data_is_rejected(fuzzed: Fuzzer):
    found = _report(fuzzed.findings, lambda f: f.check == "negative_data_rejection")
    assert found == [], "\n".join(found)


def test_success_bodies_match_the_schema(fuzzed: Fuzzer):
    found = _report(
        fuzzed.findings, lambda f: f.check == "response_schema_conformance" and _is_success(f)
    )
    assert found == [], "\n".join(found)


def test_every_status_code_answered_is_declared(fuzzed: Fuzzer):
    found = _report(fuzzed.findings, lambda f: f.check == "status_code_conformance")
    assert found == [], "\n".join(found)


def test_error_answers_are_declared_as_problem_details(fuzzed: Fuzzer):
    found = _report(
        fuzzed.findings,
        lambda f: (
            f.check in ("content_type_conformance", "response_schema_conformance")
            and not _is_success(f)
        ),
    )
    assert found == [], "\n".join(found)


def test_success_content_types_are_declared(fuzzed: Fuzzer):
    found = _report(
        fuzzed.findings, lambda f: f.check == "content_type_conformance" and _is_success(f)
    )
    assert found == [], "\n".join(found)


def test_real_ids_get_past_not_found(fuzzed: Fuzzer):
    """The fuzzing reached real records: every operation on a record answered something
    other than 404 at least once, and most operations succeeded at least once."""
    never_found = [
        label
        for label, statuses in fuzzed.statuses.items()
        if "{" in label and set(statuses) <= {401, 404}
    ]
    assert never_found == []
    succeeded = [label for label, statuses in fuzzed.statuses.items() if min(statuses) < 300]
    assert len(succeeded) >= len(fuzzed.statuses) // 2, sorted(fuzzed.statuses)
