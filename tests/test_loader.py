"""Includes: relative paths, containment, cycles, diamonds; unreadable files."""
import os

import pytest

import leaddsl
from leaddsl.front import loader


def codes_of(path):
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.load(path)
    return [(d.code, d.line) for d in e.value.diagnostics]


def test_include_relative_to_the_including_file(tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "schema.lead").write_text('include "more.lead"\nfield revenue: number\n')
    (tmp_path / "common" / "more.lead").write_text("field country: text\n")
    main = tmp_path / "main.lead"
    main.write_text('include "common/schema.lead"\nlead big when revenue >= 300M and country = US\n')
    program = leaddsl.load(main)
    assert program.evaluate({"revenue": "300M", "country": "us"}, as_of="2026-01-01")["big"] is True


def test_diamond_include_reads_the_file_once(tmp_path):
    (tmp_path / "a.lead").write_text('include "c.lead"\n')
    (tmp_path / "b.lead").write_text('include "c.lead"\n')
    (tmp_path / "c.lead").write_text("field revenue: number\n")
    main = tmp_path / "main.lead"
    main.write_text('include "a.lead"\ninclude "b.lead"\nlead x when revenue > 1\n')
    assert leaddsl.load(main).definitions == ("x",)


def test_include_cycle(tmp_path):
    (tmp_path / "a.lead").write_text('include "b.lead"\nlead x when true\n')
    (tmp_path / "b.lead").write_text('include "a.lead"\n')
    assert ("E207", 1) in codes_of(tmp_path / "a.lead")


def test_self_include(tmp_path):
    (tmp_path / "self.lead").write_text('include "self.lead"\nlead x when true\n')
    assert codes_of(tmp_path / "self.lead") == [("E207", 1)]


@pytest.mark.parametrize("target", ["../outside.lead", "sub/../../outside.lead", "/etc/passwd",
                                    "../../../../../../etc/passwd"])
def test_include_cannot_leave_the_root(tmp_path, target):
    root = tmp_path / "defs"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.lead").write_text("field secret: text\n")
    main = root / "main.lead"
    main.write_text(f'include "{target}"\nlead x when true\n')
    assert codes_of(main) == [("E206", 1)]


def test_nested_include_cannot_leave_the_first_files_folder(tmp_path):
    root = tmp_path / "defs"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.lead").write_text("field secret: text\n")
    (root / "sub" / "inner.lead").write_text('include "../../outside.lead"\n')
    main = root / "main.lead"
    main.write_text('include "sub/inner.lead"\nlead x when true\n')
    assert codes_of(main) == [("E206", 1)]


def test_symlink_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "defs"
    root.mkdir()
    (tmp_path / "outside.lead").write_text("field secret: text\n")
    (root / "link.lead").symlink_to(tmp_path / "outside.lead")
    main = root / "main.lead"
    main.write_text('include "link.lead"\nlead x when true\n')
    assert codes_of(main) == [("E206", 1)]


def test_missing_include(tmp_path):
    main = tmp_path / "main.lead"
    main.write_text('lead x when true\ninclude "common/nowhere.lead"\n')
    assert codes_of(main) == [("E205", 2)]


def test_errors_in_included_file_name_that_file(tmp_path):
    (tmp_path / "schema.lead").write_text("field revenue: integer\n")
    main = tmp_path / "main.lead"
    main.write_text('include "schema.lead"\nlead x when revenue > 1\n')
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.load(main)
    [d] = e.value.diagnostics
    assert d.code == "E212" and d.file.endswith("schema.lead") and d.line == 1


def test_not_utf8(tmp_path):
    p = tmp_path / "latin1.lead"
    p.write_bytes('lead x when title = "Pr\xe9sident"\n'.encode("latin-1"))
    assert codes_of(p) == [("E007", 1)]


def test_binary_file(tmp_path):
    p = tmp_path / "bin.lead"
    p.write_bytes(b"\x00\x01\x02lead")
    assert [c for c, _ in codes_of(p)] == ["E007"]


def test_missing_file(tmp_path):
    assert [c for c, _ in codes_of(tmp_path / "nope.lead")] == ["E007"]


def test_compile_resolves_includes_next_to_filename(tmp_path):
    (tmp_path / "schema.lead").write_text("field revenue: number\n")
    program = leaddsl.compile('include "schema.lead"\nlead x when revenue > 1\n',
                              filename=str(tmp_path / "x.lead"))
    assert program.fields == {"revenue": "number"}


# ---- hostile paths and files: positioned diagnostics, never an exception -----------------------

def diagnostics_of(load):
    with pytest.raises(leaddsl.DslError) as e:
        load()
    return [(d.code, d.line, d.message) for d in e.value.diagnostics]


def include_diagnostics(tmp_path, target):
    main = tmp_path / "main.lead"
    main.write_text(f'include "{target}"\nlead x when true\n')
    return diagnostics_of(lambda: leaddsl.load(main))


def test_include_of_a_symlink_loop(tmp_path):
    (tmp_path / "a.lead").symlink_to(tmp_path / "b.lead")
    (tmp_path / "b.lead").symlink_to(tmp_path / "a.lead")
    [(code, line, message)] = include_diagnostics(tmp_path, "a.lead")
    assert (code, line) == ("E205", 1) and "loop of symbolic links" in message


@pytest.mark.parametrize("target", ["a" * 5000, "a/" * 3000 + "x.lead"])
def test_include_of_a_too_long_path(tmp_path, target):
    [(code, line, message)] = include_diagnostics(tmp_path, target)
    assert (code, line) == ("E205", 1) and "too long" in message and len(message) < 300


def test_include_of_a_path_with_a_nul(tmp_path):
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile('lead x when true\ninclude "a\0b.lead"\n', filename=str(tmp_path / "x.lead"))
    [d] = e.value.diagnostics
    assert (d.code, d.line) == ("E205", 2) and "NUL" in d.message and "\0" not in d.message


def test_include_of_a_folder(tmp_path):
    (tmp_path / "common").mkdir()
    assert include_diagnostics(tmp_path, "common") == [("E205", 1, "`common` is a folder, not a .lead file")]


def test_include_of_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.lead")
    assert include_diagnostics(tmp_path, "pipe.lead") == [
        ("E205", 1, "`pipe.lead` is not a regular file (a device, pipe or socket)")]


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp / "a\0b.lead"),
    lambda tmp: str(tmp / ("a" * 5000)),
    lambda tmp: (tmp / "loop.lead").symlink_to(tmp / "loop.lead") or tmp / "loop.lead",
    lambda tmp: os.mkfifo(tmp / "pipe.lead") or tmp / "pipe.lead",
    lambda tmp: tmp,
    lambda tmp: "/dev/zero",
])
def test_load_of_a_path_that_is_no_definition_file(tmp_path, make):
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.load(make(tmp_path))
    [d] = e.value.diagnostics
    assert (d.code, d.line) == ("E007", 1) and len(d.message) < 300
    assert "\0" not in d.message + d.file


def test_file_size_cap_holds_when_the_size_on_disk_says_0(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 20)
    assert os.stat("/proc/self/status").st_size == 0  # a regular file whose size reads as 0
    [(code, _, message)] = diagnostics_of(lambda: leaddsl.load("/proc/self/status"))
    assert code == "E007" and "the limit is 20" in message


def test_compile_has_the_file_size_cap(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    leaddsl.compile("lead x when true  #" + "é" * 30)  # 79 bytes
    assert diagnostics_of(lambda: leaddsl.compile("lead x when true  #" + "é" * 50)) == [
        ("E007", 1, "the text is 119 bytes; the limit is 100")]
