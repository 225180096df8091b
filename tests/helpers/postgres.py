"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

`initdb` refuses to run as root, so as root the cluster is created and run as the
`postgres` user. Where no PostgreSQL binaries exist, `find_binaries` returns None
and the PostgreSQL tests skip with that reason — or fail, when
FRONTDESK_REQUIRE_POSTGRES=1 (as `.ci/run` sets it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

NO_BINARIES = "PostgreSQL server binaries (initdb, pg_ctl) not found on this machine"
REQUIRE_ENV = "FRONTDESK_REQUIRE_POSTGRES"


def required() -> bool:
    """CI sets FRONTDESK_REQUIRE_POSTGRES=1: missing binaries then fail instead of skip."""
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")


def find_binaries() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _command(self, *args: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return list(args)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            shutil.chown(self.root, user=self.run_as)
        subprocess.run(
            self._command(
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(
            self._command(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(
                self._command(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ),
                check=True,
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database on the server; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server() -> PostgresServer:
    bin_dir = find_binaries()
    if bin_dir is None:
        raise FileNotFoundError(NO_BINARIES)
    run_as = "postgres" if os.geteuid() == 0 else None
    # Each test process (an xdist worker, another checkout's run) has its own server,
    # folder and port; a port taken between choosing it and starting is chosen again.
    attempts = 3
    while True:
        root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
        server = PostgresServer(bin_dir, root, _free_port(), run_as)
        try:
            server.start()
            return server
        except subprocess.CalledProcessError:
            server.stop()
            attempts -= 1
            if not attempts:
                raise
