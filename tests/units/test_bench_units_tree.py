"""The union tree benchmark stays runnable: a 2,000-unit run on the test database. Its numbers are not checked
here (speed claims live in BENCHMARKS.md), only that every measurement ran, read what its baseline read, and
that the report lands in its own part of BENCHMARKS.md."""

import subprocess
import sys
from pathlib import Path

import pytest
from bench import document, units_tree
from django.db import connection


@pytest.mark.django_db
def test_benchmark_runs_on_a_small_tree():
    report = units_tree.run(units=2000, repeats=1)
    assert report.tree.units == 2000 and report.tree.links > 2000  # some units moved once
    assert [row.name[:2] for row in report.rows] == ["a.", "a.", "b.", "c.", "d."]
    assert all(row.rows > 0 and row.orm_ms > 0 and row.raw_ms > 0 and row.queries > 0 for row in report.rows)
    subtree_reads = [plan for plan in report.plans if plan.subtree]
    assert {plan.measurement[:2] for plan in subtree_reads} == {"a.", "b."}
    if connection.vendor == "sqlite":  # PostgreSQL may rightly scan tables this small
        assert all(plan.uses_path_index for plan in subtree_reads)
    text = units_tree.markdown(report)
    assert text.count("\n| ") == 1 + len(report.rows)  # the header and one line per measurement


def test_report_replaces_its_own_block_and_keeps_the_rest(tmp_path, monkeypatch):
    readme = tmp_path / "BENCHMARKS.md"
    readme.write_text("# Benchmarks\n\n## Member import\n\nnumbers\n")
    monkeypatch.setattr(document, "README", readme)

    def write(text: str, key: str) -> None:
        document.write_block(text, benchmark="units_tree", key=key, section=units_tree.SECTION)

    write("first sqlite run", "sqlite 2000")
    write("a postgres run", "postgres 2000")
    write("second sqlite run", "sqlite 2000")
    text = readme.read_text()
    assert "## Member import\n\nnumbers" in text
    assert text.count(f"## {units_tree.SECTION}") == 1
    assert "second sqlite run" in text and "first sqlite run" not in text and "a postgres run" in text


@pytest.mark.slow
def test_benchmark_runs_from_the_command_line(tmp_path):
    """The script itself: a fresh SQLite database of its own, migrated, measured; BENCHMARKS.md untouched."""
    readme = units_tree.README.read_text() if units_tree.README.exists() else None
    script = Path(units_tree.__file__)
    output = subprocess.run(
        [sys.executable, str(script), "--db", "sqlite", "--units", "2000", "--repeats", "1", "--no-write"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=600,
    ).stdout
    assert "### SQLite" in output and "| d. move" in output and "path index NOT USED" not in output
    assert (units_tree.README.read_text() if units_tree.README.exists() else None) == readme
