"""Two `vitrine serve` processes on one PostgreSQL database never allow more generations than a
trial has: 200 concurrent `POST /api/v1/license/generations` requests, spread over both
processes, are allowed exactly 3 times.

Needs the built CLI (VITRINE_BIN, default .build/debug/vitrine), a PostgreSQL server
(VITRINE_TEST_POSTGRES_URL, which scripts/test.sh starts) and `psql`. Without them the test is
skipped with the reason, except under CI=true, where that is a failure.
"""

import concurrent.futures
import os
import re
import shutil
import subprocess
import tempfile


from support import BINARY, free_port, need, post, wait_healthy


def test_two_servers_share_one_trial_limit(database):
    binary = BINARY
    need(binary.exists(), f"no vitrine binary at {binary} (swift build, or set VITRINE_BIN)")
    data = tempfile.mkdtemp(prefix="vitrine-two-")
    env = dict(os.environ, DATABASE_URL=database, VITRINE_LOG_LEVEL="warning")
    servers = []
    try:
        # setup: schema, a trial key, two server processes sharing the data folder (signing key)
        subprocess.run([binary, "migrate", "--data", data], env=env, check=True)
        issued = subprocess.run(
            [binary, "license", "issue", "--email", "two@example.com", "--tier", "trial", "--data", data],
            env=env, check=True, capture_output=True, text=True,
        ).stdout
        key = re.search(r"VTR-[0-9A-Za-z-]+", issued).group(0)
        ports = [free_port(), free_port()]
        for port in ports:
            servers.append(subprocess.Popen(
                [binary, "serve", "--data", data, "--port", str(port)], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            ))
        for port, process in zip(ports, servers):
            wait_healthy(port, process)

        # act: 200 requests at once, alternating between the two processes
        def generate(i):
            return post(f"http://127.0.0.1:{ports[i % 2]}/api/v1/license/generations", {"key": key})

        with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
            replies = list(pool.map(generate, range(200)))

        # assert: every request answered; exactly three allowed, with the trial mark; both processes allowed some or refused
        statuses = {status for status, _ in replies}
        assert statuses == {200}, f"unexpected statuses {statuses}: {[r for r in replies if r[0] != 200][:3]}"
        allowed = [body for _, body in replies if body.get("allowed")]
        assert len(allowed) == 3, f"{len(allowed)} generations allowed on a 3-generation trial"
        assert all(body.get("mark") for body in allowed)
        refused = [body for _, body in replies if not body.get("allowed")]
        assert refused and all(body.get("generations_left") == 0 for body in refused)
        status, check = post(f"http://127.0.0.1:{ports[0]}/api/v1/license/validate", {"key": key})
        assert status == 200 and check["generations_used"] == 3 and check["generations_left"] == 0, check
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(data, ignore_errors=True)
