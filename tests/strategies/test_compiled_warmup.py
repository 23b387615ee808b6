"""manage.py warm_compiled: the compiled code made ready before the clusters start (bin/up runs
it), without the site's secrets, in the ways the site calls it."""

from tests.subprocesses import clean_env, run_manage


def test_warm_compiled_runs_without_any_secret_and_says_how_long_it_took():
    completed = run_manage("warm_compiled", env=clean_env())

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Compiled code ready in ")
    assert completed.stdout.rstrip().endswith(" s.")
