"""Many writers at once never see "database is locked" and lose nothing."""

import asyncio
import sys
import textwrap

from models.organisations import Organisation, OrganisationKind, add_organisation, add_user
from models.settings import Settings

WRITERS = 25


async def test_concurrent_writers_in_one_process_all_succeed(db):
    organisation = await add_organisation(name="NGO", kind=OrganisationKind.partner, country="NG")

    results = await asyncio.gather(
        *(
            add_user(organisation_id=organisation.id, name=f"field worker {n}")
            for n in range(WRITERS)
        ),
        return_exceptions=True,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    tokens = {token for _, token in results}
    assert len(tokens) == WRITERS


WRITER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from models import schema
    from models.organisations import add_organisation
    from models.settings import Settings

    async def main():
        async with schema.connected(Settings(database_url=sys.argv[1])):
            await asyncio.gather(*(
                add_organisation(name=f"{sys.argv[2]}-{n}", kind="partner", country="UG")
                for n in range(int(sys.argv[3]))
            ))

    asyncio.run(main())
    """
)


async def test_concurrent_writer_processes_on_one_database_all_succeed(settings: Settings, db):
    """On SQLite, several processes share one file: each waits for the write lock."""
    processes, per_process = 4, WRITERS
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WRITER_PROCESS,
            settings.database_url,
            f"p{n}",
            str(per_process),
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(processes)
    ]
    for child in children:
        _, errors = await asyncio.wait_for(child.communicate(), timeout=120)
        assert child.returncode == 0, errors.decode()
        assert b"locked" not in errors

    assert await Organisation.count() == processes * per_process
