"""``ormdoctor docs`` as a user runs it: a subprocess, real files, exit codes."""

from __future__ import annotations

import stat

from docs_support import run_docs

README = "# Shop\n\nIntro.\n\n<!-- ormdoctor:docs:start -->\nold text\n<!-- ormdoctor:docs:end -->\n\nFooter.\n"


def test_output_file_then_check_is_fresh(project_copy, tmp_path):
    project = project_copy("multi")
    out = tmp_path / "docs" / "schema.md"
    result = run_docs(str(project), "-o", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    text = out.read_text()
    assert text.startswith("# Database schema\n")
    assert "```mermaid\nerDiagram\n" in text
    assert stat.S_IMODE(out.stat().st_mode) & 0o044  # readable by others, like any new file
    fresh = run_docs(str(project), "-o", str(out), "--check")
    assert (fresh.returncode, fresh.stdout) == (0, "")


def test_check_on_stale_file_exits_1_with_a_diff(project_copy, tmp_path):
    project = project_copy("multi")
    out = tmp_path / "schema.md"
    assert run_docs(str(project), "-o", str(out)).returncode == 0
    model = project / "app" / "models" / "catalog.py"
    model.write_text(model.read_text().replace('label: Mapped[str] = mapped_column(String(50), unique=True)',
                                               'label: Mapped[str] = mapped_column(String(80), unique=True)'))
    before = out.read_text()
    stale = run_docs(str(project), "-o", str(out), "--check")
    assert stale.returncode == 1
    assert stale.stdout.startswith(f"--- a/{out}\n+++ b/{out}\n")
    assert "-| `label` | `String(50)` | no |  | UQ |\n+| `label` | `String(80)` | no |  | UQ |\n" in stale.stdout
    assert "out of date" in stale.stderr
    assert out.read_text() == before  # --check never writes


def test_check_on_missing_file_is_stale(project_copy, tmp_path):
    project = project_copy("multi")
    result = run_docs(str(project), "-o", str(tmp_path / "nope.md"), "--check")
    assert result.returncode == 1
    assert "+# Database schema" in result.stdout
    assert not (tmp_path / "nope.md").exists()


def test_inject_replaces_only_the_marked_block(project_copy, tmp_path):
    project = project_copy("seed003")
    readme = tmp_path / "README.md"
    readme.write_text(README)
    result = run_docs(str(project), "--inject", str(readme))
    assert (result.returncode, result.stderr) == (0, "")
    text = readme.read_text()
    head, rest = text.split("<!-- ormdoctor:docs:start -->\n")
    body, tail = rest.split("<!-- ormdoctor:docs:end -->")
    assert head == "# Shop\n\nIntro.\n\n"
    assert tail == "\n\nFooter.\n"
    assert body.startswith("## Database schema\n")  # one level below the README's title
    assert "### <a id=\"table-products\"></a>`products`" in body
    assert body.endswith("\n") and not body.endswith("\n\n")
    again = run_docs(str(project), "--inject", str(readme))
    assert again.returncode == 0 and readme.read_text() == text  # idempotent
    assert run_docs(str(project), "--inject", str(readme), "--check").returncode == 0


def test_inject_check_stale_shows_diff_and_keeps_file(project_copy, tmp_path):
    project = project_copy("seed003")
    readme = tmp_path / "README.md"
    readme.write_text(README)
    result = run_docs(str(project), "--inject", str(readme), "--check")
    assert result.returncode == 1
    assert "-old text\n" in result.stdout and "+## Database schema\n" in result.stdout
    assert readme.read_text() == README


def test_inject_keeps_crlf_line_endings(project_copy, tmp_path):
    project = project_copy("seed003")
    readme = tmp_path / "README.md"
    readme.write_bytes(README.replace("\n", "\r\n").encode())
    assert run_docs(str(project), "--inject", str(readme)).returncode == 0
    data = readme.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 100
    assert data.startswith(b"# Shop\r\n\r\nIntro.\r\n")
    assert run_docs(str(project), "--inject", str(readme), "--check").returncode == 0


def test_output_keeps_crlf_of_existing_file(project_copy, tmp_path):
    project = project_copy("multi")
    out = tmp_path / "schema.md"
    out.write_bytes(b"old\r\n")
    assert run_docs(str(project), "-o", str(out)).returncode == 0
    data = out.read_bytes()
    assert b"\r\n" in data and data.count(b"\r\n") == data.count(b"\n")


def test_missing_markers_exit_2_with_one_line(project_copy, tmp_path):
    project = project_copy("seed003")
    readme = tmp_path / "README.md"
    readme.write_text("# Shop\n\nNo markers here.\n")
    result = run_docs(str(project), "--inject", str(readme))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"ormdoctor: error: {readme} has no start and end markers: add "
                                    "<!-- ormdoctor:docs:start --> and <!-- ormdoctor:docs:end -->")
    assert readme.read_text() == "# Shop\n\nNo markers here.\n"
    readme.write_text("<!-- ormdoctor:docs:start -->\n")
    only_start = run_docs(str(project), "--inject", str(readme), "--check")
    assert only_start.returncode == 2 and "no end marker after the start marker" in only_start.stderr


def test_usage_errors_exit_2(project_copy, tmp_path):
    project = project_copy("multi")
    cases = [
        (["--check"], "--check needs the file to compare"),
        (["--inject", str(tmp_path / "R.md"), "--format", "html"], "--inject writes Markdown"),
        (["--inject", str(tmp_path / "R.md"), "-o", str(tmp_path / "x.md")], "use either -o FILE or --inject"),
        (["--inject", str(tmp_path / "missing.md")], "missing.md does not exist"),
        (["--tables", "nothing_*"], "no table matches --tables nothing_*"),
        (["--import", "--python", "/nonexistent/python"], "interpreter"),
    ]
    for args, message in cases:
        result = run_docs(str(project), *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)


def test_table_filters(project_copy):
    project = project_copy("multi")
    result = run_docs(str(project), "--tables", "core.*,products,tags,product_tags", "--exclude-tables", "tags")
    assert result.returncode == 0, result.stderr
    headings = [line for line in result.stdout.splitlines() if line.startswith("## <a id=\"table-")]
    assert headings == ['## <a id="table-product_tags"></a>`product_tags`',
                        '## <a id="table-products"></a>`products`',
                        '## <a id="table-core-addresses"></a>`core.addresses`',
                        '## <a id="table-core-customers"></a>`core.customers`']
    assert "(filtered with --tables/--exclude-tables)" in result.stdout
    assert "}o--o{" not in result.stdout  # tags is out, so product_tags is drawn as a table


def test_html_output_file(project_copy, tmp_path):
    project = project_copy("seed003")
    out = tmp_path / "schema.html"
    result = run_docs(str(project), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg " in html and "</html>\n" in html
    assert run_docs(str(project), "--format", "html", "-o", str(out), "--check").returncode == 0
