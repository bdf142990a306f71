"""render/atomic.py: a file at its name is complete or absent, whatever stops its writer."""

from __future__ import annotations

import csv
import errno
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hokensho_rules.cli import main
from hokensho_rules.render.atomic import OutputError, Terminated, atomic_open, atomic_path


@pytest.mark.parametrize("stop", [ValueError("bad row"), KeyboardInterrupt(), Terminated(15)])
def test_a_writer_stopped_midway_leaves_the_earlier_file_and_no_temporary(tmp_path: Path, stop: BaseException) -> None:
    final = tmp_path / "r.csv"
    final.write_bytes(b"earlier\n")
    with pytest.raises(type(stop)), atomic_open(final) as stream:
        stream.write(b"row,1\n" * 1000)
        raise stop
    assert final.read_bytes() == b"earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_a_completed_file_replaces_the_earlier_one_with_the_usual_mode(tmp_path: Path) -> None:
    final = tmp_path / "r.csv"
    final.write_bytes(b"earlier\n")
    with atomic_path(final) as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".r.csv.") and temporary.suffix == ".part"
        temporary.write_bytes(b"new\n")
        assert final.read_bytes() == b"earlier\n"  # nothing at the name until the block ends
    assert final.read_bytes() == b"new\n"
    umask = os.umask(0)
    os.umask(umask)
    assert final.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_is_an_output_error_naming_the_file(tmp_path: Path) -> None:
    final = tmp_path / "r.csv"
    with pytest.raises(OutputError) as caught, atomic_open(final):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == (f"cannot write {final}: No space left on device (ENOSPC); nothing was written at "
                                 "that name (an earlier file there is intact)")
    assert not final.exists() and list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="No such file or directory"), atomic_open(tmp_path / "no" / "r.csv"):
        pass


def test_the_rows_the_cli_writes_are_formula_safe(tmp_path: Path) -> None:
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on,paper_card.issued_on\n-1,insured,2020-04-01,2020-04-01\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(main, ["timeline", str(source), "--id", "-1", "--from", "2024-10-01", "--to",
                                       "2026-01-01", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))) for c in row]
    assert "'-1" in cells and "-1" not in cells
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "t.csv"]
