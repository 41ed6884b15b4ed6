"""The throw-away cluster that the controld API tests run against PostgreSQL with."""
import os
import subprocess

import postgres


def _psql(url, sql):
    return subprocess.run([os.path.join(postgres.BIN_DIR, "psql"), "-X", "-qAt", "-v",
                           "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_cluster_serves_databases_and_is_removed_afterwards(tmp_path):
    with postgres.postgres_cluster() as url:
        assert url.startswith("postgresql://postgres@127.0.0.1:") and url.endswith("/dnsfleet")
        _psql(url, "CREATE TABLE t (n BIGINT PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
        assert _psql(url, "SELECT sum(n) FROM t") == "3"
        other = postgres.create_database(url, "second")
        assert _psql(other, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == "0"

        # the documented backup and restore
        dump = str(tmp_path / "backup.pgdump")
        subprocess.run([os.path.join(postgres.BIN_DIR, "pg_dump"), "-Fc", "-f", dump, "-d", url],
                       check=True)
        _psql(url, "DELETE FROM t")
        postgres.restore(url, dump)
        assert _psql(url, "SELECT sum(n) FROM t") == "3"
        port = int(url.rsplit(":", 1)[1].split("/")[0])
    # stopped: nothing answers on the port any more
    ping = subprocess.run([os.path.join(postgres.BIN_DIR, "pg_isready"), "-h", "127.0.0.1",
                           "-p", str(port), "-t", "1"], capture_output=True, check=False)
    assert ping.returncode != 0
