"""Issue 9, item 2: writes never destroy what they touch (`check -o`, `docs -o`, `docs --inject`).

Every case runs the real CLI; the targets are real symlinks, hard links, FIFOs and device nodes."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from io_support import model_project, one_line_error, ormdoctor

START, END = "<!-- ormdoctor:docs:start -->", "<!-- ormdoctor:docs:end -->"


@pytest.fixture
def project(tmp_path):
    return model_project(tmp_path / "project")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_dash_is_stdout(project, tmp_path):
    result = ormdoctor("check", str(project), "--no-cache", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0 and "All checks passed" in result.stdout
    assert not (tmp_path / "-").exists()
    docs = ormdoctor("docs", str(project), "--no-cache", "-o", "-", cwd=tmp_path)
    assert docs.returncode == 0 and "`customers`" in docs.stdout and not (tmp_path / "-").exists()


def test_symlink_is_followed_and_stays_a_link(project, tmp_path):
    real = tmp_path / "docs" / "README.md"
    real.parent.mkdir()
    real.write_text(f"# Title\n\n{START}\nold\n{END}\n")
    real.chmod(0o640)
    link = tmp_path / "README.md"
    link.symlink_to(real)
    assert ormdoctor("docs", str(project), "--no-cache", "--inject", str(link)).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "`customers`" in real.read_text() and "old" not in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    report = tmp_path / "report.txt"
    report.symlink_to(real)
    assert ormdoctor("check", str(project), "--no-cache", "-o", str(report)).returncode == 0
    assert report.is_symlink() and "All checks passed" in real.read_text()


def test_hard_links_share_the_new_text(project, tmp_path):
    first = tmp_path / "report.txt"
    first.write_text("old\n")
    second = tmp_path / "copy.txt"
    os.link(first, second)
    assert ormdoctor("check", str(project), "--no-cache", "-o", str(first)).returncode == 0
    assert first.stat().st_ino == second.stat().st_ino
    assert "All checks passed" in second.read_text()


def test_fifo_is_written_not_replaced(project, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = ormdoctor("check", str(project), "--no-cache", "-o", str(fifo), timeout=60)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and "All checks passed" in received[0]
    received.clear()
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    docs = ormdoctor("docs", str(project), "--no-cache", "-o", str(fifo), timeout=60)  # used to read it first: hang
    reader.join(30)
    assert docs.returncode == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and "`customers`" in received[0]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_device_is_written_not_replaced(project, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    for command in (["check", "-o", str(null)], ["docs", "-o", str(null)]):
        result = ormdoctor(command[0], str(project), "--no-cache", *command[1:])
        assert result.returncode == 0, result.stderr
        assert stat.S_ISCHR(os.lstat(null).st_mode), command


@pytest.mark.parametrize("command", [["check", "-o"], ["docs", "-o"], ["docs", "--inject"]])
def test_read_only_target_is_refused_and_unchanged(project, tmp_path, command):
    target = tmp_path / "README.md"
    original = f"keep me\n{START}\nold\n{END}\n"
    target.write_text(original)
    target.chmod(0o444)
    result = ormdoctor(command[0], str(project), "--no-cache", command[1], str(target))
    one_line_error(result, str(target), "read-only")
    assert target.read_text() == original and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", [["check", "-o"], ["docs", "-o"], ["docs", "--inject"]])
def test_directory_target_is_a_clear_error_without_leftovers(project, tmp_path, command):
    target = tmp_path / "out"
    target.mkdir()
    result = ormdoctor(command[0], str(project), "--no-cache", command[1], str(target))
    one_line_error(result, str(target), "directory")
    assert target.is_dir() and list(target.iterdir()) == []
    assert _leftovers(tmp_path) == []


def test_inject_ignores_markers_mentioned_in_prose_and_examples(project, tmp_path):
    readme = tmp_path / "README.md"
    prose = (f"# Shop\n\nPut {START} where the docs go.\n\n```markdown\n{START}\n{END}\n```\n\n"
             "Keep this paragraph.\n\n")
    readme.write_text(f"{prose}{START}\nold\n{END}\n\nFooter.\n")
    result = ormdoctor("docs", str(project), "--no-cache", "--inject", str(readme))
    assert (result.returncode, result.stderr) == (0, "")
    text = readme.read_text()
    assert text.startswith(prose + START + "\n") and text.endswith(f"{END}\n\nFooter.\n")
    assert "old" not in text and "`customers`" in text


@pytest.mark.parametrize(("content", "message"), [
    (f"{START}\na\n{END}\n{START}\nb\n{END}\n", "2 start markers (lines 1, 4)"),
    (f"{START}\na\n{END}\nb\n{END}\n", "2 end markers (lines 3, 5)"),
    (f"intro\n{END}\nuser text\n{START}\n", "end marker (line 2) before the start marker (line 4)"),
])
def test_inject_refuses_ambiguous_markers(project, tmp_path, content, message):
    readme = tmp_path / "README.md"
    readme.write_text(content)
    result = ormdoctor("docs", str(project), "--no-cache", "--inject", str(readme))
    one_line_error(result, message)
    assert readme.read_text() == content


def test_inject_refuses_a_file_that_is_not_utf8(project, tmp_path):
    readme = tmp_path / "README.md"
    content = f"caf\xe9\n{START}\nold\n{END}\n".encode("latin-1")
    readme.write_bytes(content)
    result = ormdoctor("docs", str(project), "--no-cache", "--inject", str(readme))
    one_line_error(result, "is not UTF-8 text", "unchanged")
    assert readme.read_bytes() == content


def test_inject_refuses_a_fifo_without_blocking(project, tmp_path):
    fifo = tmp_path / "README.md"
    os.mkfifo(fifo)
    result = ormdoctor("docs", str(project), "--no-cache", "--inject", str(fifo), timeout=60)
    one_line_error(result, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                               ("utf-16-be", b"\xfe\xff")])
def test_inject_keeps_encoding_bom_and_crlf(project, tmp_path, encoding, bom):
    readme = tmp_path / "README.md"
    readme.write_bytes(bom + f"# Caf\xe9\r\n{START}\r\nold\r\n{END}\r\nend\r\n".encode(encoding))
    result = ormdoctor("docs", str(project), "--no-cache", "--inject", str(readme))
    assert (result.returncode, result.stderr) == (0, "")
    data = readme.read_bytes()
    assert data.startswith(bom)
    text = data[len(bom):].decode(encoding)
    assert text.startswith(f"# Caf\xe9\r\n{START}\r\n") and text.endswith(f"{END}\r\nend\r\n")
    assert "`customers`" in text and text.count("\r\n") == text.count("\n")
    check = ormdoctor("docs", str(project), "--no-cache", "--inject", str(readme), "--check")
    assert check.returncode == 0, check.stdout


def test_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    """The temporary file goes whatever stops the write (here the rename, in process)."""
    from ormdoctor import safe_write

    target = tmp_path / "report.txt"
    target.write_text("old\n")

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(safe_write.WriteRefused, match="No space left"):
        safe_write.write_text(target, "new\n")
    monkeypatch.undo()
    assert target.read_text() == "old\n" and _leftovers(tmp_path) == []
