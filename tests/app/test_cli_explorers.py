"""ravine map | basins | tune: CSV and PNG headless, one-line errors, nothing half-written."""

import csv

import pytest

from ravine.app.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path):
    return list(csv.reader(path.open()))


def test_map_writes_a_row_per_cell_and_a_picture(tmp_path, capsys):
    out_csv, out_png = tmp_path / "m.csv", tmp_path / "m.png"
    code, out, err = run(capsys, "map", "momentum-ravine", "--optimizer", "Momentum", "--x", "lr:0.01:0.5:log:8",
                         "--y", "beta:0:0.95:log1m:5", "--steps", "300", "--csv", str(out_csv), "-o", str(out_png))
    assert code == 0 and err == ""
    table = rows(out_csv)
    assert table[0] == ["lr", "beta", "final_loss", "steps_to_tol", "diverged_at"]
    assert len(table) == 1 + 8 * 5
    assert {len(r) for r in table} == {5}
    assert any(r[3] for r in table[1:]) and all(r[3] == "" or int(r[3]) <= 300 for r in table[1:])
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "cells reach loss <= 1e-06" in out


def test_map_of_gd_sweeps_lr_alone(tmp_path, capsys):
    code, out, err = run(capsys, "map", "momentum-ravine", "--optimizer", "GD", "--x", "lr:0.001:0.2:log:6",
                         "--csv", "-")
    assert code == 0
    table = list(csv.reader(out.splitlines()))
    assert table[0] == ["lr", "final_loss", "steps_to_tol", "diverged_at"] and len(table) == 7


def test_basins_and_tune_write_their_tables(tmp_path, capsys):
    b = tmp_path / "b.csv"
    code, out, err = run(capsys, "basins", "local-optima-himmelblau", "--grid", "12", "--csv", str(b))
    assert code == 0 and err == ""
    table = rows(b)
    assert table[0] == ["x", "y", "minimum", "steps_to_tol", "diverged_at"] and len(table) == 1 + 144
    assert {r[2] for r in table[1:]} <= {"", "0", "1", "2", "3"}
    t = tmp_path / "t.csv"
    code, out, err = run(capsys, "tune", "momentum-ravine", "--lrs", "1e-3:1:16", "--csv", str(t))
    assert code == 0
    table = rows(t)
    assert table[0] == ["optimizer", "lr", "criterion", "chosen"] and len(table) == 1 + 4 * 16
    assert sum(r[3] == "1" for r in table[1:]) == 4
    assert "the best lr of each" in out


@pytest.mark.parametrize("argv, needle", [
    (["map", "momentum-ravine", "--x", "lr:1e-4:1:log"], "--x: must be NAME:LOW:HIGH:SCALE:COUNT"),
    (["map", "momentum-ravine", "--optimizer", "GD", "--y", "beta:0:0.9:lin:4"], "gd has no hyperparameter 'beta'"),
    (["map", "momentum-ravine", "--optimizer", "Nope"], "no optimizer labelled 'Nope'"),
    (["map", "momentum-ravine", "--tol", "-1", "--csv", "-"], "--tol: must be a number > 0"),
    (["map", "momentum-ravine", "-o", "out.gif"], "the picture is a PNG"),
    (["basins", "momentum-ravine", "--grid", "5000"], "grid: must be an integer in [2, 1000]"),
    (["tune", "momentum-ravine", "--lrs", "1e-5:10"], "--lrs '1e-5:10': must be LOW:HIGH:COUNT"),
    (["tune", "momentum-ravine", "--by", "fastest"], "invalid choice"),
    (["tune", "course-adam"], "has no [[optimizers]] on a surface to explore"),
    (["map", "momentum-ravine", "--steps", "0"], "--steps: must be an integer"),
])
def test_mistakes_are_one_line(argv, needle, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert needle in err, err


def test_an_unwritable_picture_leaves_no_table(tmp_path, capsys):
    out_csv = tmp_path / "m.csv"
    code, out, err = run(capsys, "map", "momentum-ravine", "--steps", "5", "--csv", str(out_csv),
                         "-o", str(tmp_path / "no" / "such" / "m.png"))
    assert code == 2 and not out_csv.exists() and err.count("\n") == 1


def test_renders_name_the_explorers_as_views(tmp_path, capsys):
    out = tmp_path / "r.png"
    code, _, err = run(capsys, "render", "momentum-ravine", "--views", "map,convergence", "-o", str(out), "--quiet")
    assert code == 0 and err == "" and out.read_bytes()[:4] == b"\x89PNG"
    code, _, err = run(capsys, "render", "local-optima-himmelblau", "--views", "basins,tune", "-o", str(out),
                       "--quiet")
    assert code == 0
    code, _, err = run(capsys, "render", "course-adam", "--views", "tune", "-o", str(out))
    assert code == 2 and "--views tune: the scene has no [[optimizers]] on a surface" in err
