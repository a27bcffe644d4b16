"""The `regularized` command through a subprocess, on real CSV and Parquet files."""
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from regularized import io as rio  # noqa: E402
from regularized.cli import main  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
HOUSES = os.path.join(HERE, "data", "houses.csv")
CHURN = os.path.join(HERE, "data", "churn.csv")


def run(*args, cwd=None):
    """``python -m regularized ARGS`` in a fresh process."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = SRC + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run([sys.executable, "-m", "regularized", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def run_here(*args):
    """``main(ARGS)`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in args], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(status, stdout, stderr, match=None):
    assert status != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("regularized: error: ") and "Traceback" not in stderr
    if match:
        assert match in lines[0], lines[0]
    assert stdout == ""


def same_frames(a, b):
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy(), err_msg=col)


# ---------------------------------------------------------------------------------------
# fit → predict on CSV and Parquet
# ---------------------------------------------------------------------------------------
def test_fit_and_predict_csv_with_categories_and_missing_values(tmp_path):
    result = run("fit", HOUSES, "--target", "price", "--impute", "median", "--out",
                 tmp_path / "out", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = result.stdout
    assert "family      gaussian (inferred: the target is numeric" in summary
    assert "penalty     l1 (lasso), 5-fold CV, --select min" in summary
    assert "CV score    mean squared error" in summary
    assert "selected" in summary and "city=Paris" in summary
    assert "note: dropped 2 row(s) with a missing target 'price' (rows 10, 34)" in summary
    assert "note: dropped column 'constant': constant (1)" in summary
    assert "note: column 'age': 3 missing value(s) imputed with the median" in summary
    model_file = tmp_path / "out" / "model.npz"
    assert model_file.exists() and str(model_file) in summary

    # predict: the raw CSV (missing values, categories, the target column) gives the same
    # numbers as the Python model, and as a fit made in this process
    preds_file = tmp_path / "preds.csv"
    result = run("predict", model_file, HOUSES, "--out", preds_file)
    assert result.returncode == 0, result.stderr
    from_cli = pd.read_csv(preds_file)
    frame = rio.read_table(HOUSES)
    loaded = rio.load(model_file)
    same_frames(from_cli, loaded.predict_frame(frame))
    in_memory = rio.fit_table(frame, "price", impute="median")
    np.testing.assert_allclose(from_cli["prediction"], in_memory.predict(frame), rtol=1e-12)
    assert loaded.info["alpha"] == pytest.approx(in_memory.info["alpha"], rel=1e-12)

    # without --out: CSV on stdout; the directory `fit` wrote stands for its model file
    status, out, err = run_here("predict", model_file, HOUSES)
    assert status == 0 and err == ""
    assert run_here("predict", tmp_path / "out", HOUSES) == (status, out, err)
    same_frames(pd.read_csv(io.StringIO(out)), from_cli)


def test_fit_and_predict_parquet_binomial_with_unseen_levels(tmp_path):
    frame = rio.read_table(CHURN)
    frame.loc[[3, 50], "monthly"] = np.nan
    train = tmp_path / "churn.parquet"
    frame.to_parquet(train)
    new = frame.drop(columns=["churned"]).head(6).copy()
    new.loc[0, "plan"] = "vip"                                   # never seen in training
    new_file = tmp_path / "new.parquet"
    new.to_parquet(new_file)

    result = run("fit", train, "--target", "churned", "--impute", "mean", "--l1-ratio", "0.7",
                 "--select", "1se", "--cv", "4", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "family      binomial (inferred: the target has two classes ('no', 'yes')" in out
    assert "elasticnet (l1_ratio=0.7), 4-fold CV, --select 1se" in out
    assert "CV score    binomial deviance" in out
    assert "note: column 'monthly': 2 missing value(s) imputed with the mean" in out

    result = run("predict", tmp_path / "model.npz", new_file, "--out", tmp_path / "p.parquet")
    assert result.returncode == 0, result.stderr
    notes = result.stderr.strip().splitlines()
    assert notes[0].startswith("regularized: note: column 'plan': 1 row(s) with levels not "
                               "seen in training ('vip')")
    predictions = pd.read_parquet(tmp_path / "p.parquet")
    assert list(predictions.columns) == ["prediction", "probability_no", "probability_yes"]
    same_frames(predictions, rio.load(tmp_path / "model.npz").predict_frame(new))
    np.testing.assert_allclose(predictions[["probability_no", "probability_yes"]].sum(axis=1),
                               1.0)


def test_family_choices_multinomial_and_poisson(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=45).round(3), "b": rng.normal(size=45).round(3)})
    frame["kind"] = np.where(frame.a > 0.5, "high", np.where(frame.a < -0.5, "low", "mid"))
    frame["visits"] = rng.poisson(np.exp(0.4 * frame.b))
    file = tmp_path / "kinds.csv"
    frame.to_csv(file, index=False)
    status, out, err = run_here("fit", file, "--target", "kind", "--drop", "visits",
                                "--n-alphas", "4", "--cv", "3", "--out", tmp_path / "m", "-q")
    assert status == 0, err
    assert "family      multinomial (inferred: the target has 3 classes" in out
    assert "CV score    multinomial deviance" in out
    status, out, err = run_here("fit", file, "--target", "visits", "--family", "poisson",
                                "--drop", "kind", "--penalty", "l2", "--n-alphas", "20",
                                "--out", tmp_path / "p")
    assert status == 0, err
    assert "family      poisson (as asked)" in out
    assert "penalty     l2 (ridge)" in out
    assert "CV score    Poisson deviance" in out


def test_path_writes_one_row_per_alpha(tmp_path):
    result = run("path", HOUSES, "--target", "price", "--impute", "mean", "--n-alphas", "12",
                 "--penalty", "elasticnet")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert len(table) == 12
    assert list(table.columns[:5]) == ["alpha", "n_nonzero", "deviance_ratio", "gap",
                                       "intercept"]
    assert "city=Paris" in table.columns and "constant" not in table.columns
    assert np.all(np.diff(table["alpha"]) < 0) and table["n_nonzero"].iloc[0] == 0
    from regularized import path

    prepared = rio.prepare_table(rio.read_table(HOUSES), "price", impute="mean")
    fit = path(prepared.X, prepared.y, l1_ratio=0.5, n_alphas=12, standardize=True)
    np.testing.assert_allclose(table[prepared.feature_names].to_numpy(), fit.coef,
                               rtol=1e-12, atol=1e-12)
    notes = result.stderr.strip().splitlines()
    assert all(line.startswith("regularized: note: ") for line in notes)
    assert any("family gaussian (inferred: the target is numeric)" in n for n in notes)


def test_console_script_when_installed():
    script = shutil.which("regularized", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the console script is not installed in this environment")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("regularized ")


# ---------------------------------------------------------------------------------------
# untidy tables as users have them
# ---------------------------------------------------------------------------------------
def linear_table(n=300, p=3, seed=0):
    """A small regression table: columns x0…x{p-1} and y = x0 − x1 + noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{j}": rng.normal(size=n).round(3) for j in range(p)})
    frame["y"] = (frame.x0 - frame.x1 + 0.3 * rng.normal(size=n)).round(3)
    return frame


def fit_summary(tmp_path, frame, *options, name="data.csv"):
    """``regularized fit`` on ``frame`` written as CSV: (exit status, stdout, stderr)."""
    file = tmp_path / name
    frame.to_csv(file, index=False)
    return run_here("fit", file, "--target", "y", "--n-alphas", "5", "--cv", "3",
                    "--out", tmp_path / "out", "-q", *options)


def test_stray_tokens_in_a_numeric_column_and_the_target_read_as_missing(tmp_path):
    frame = linear_table().astype({"x0": object, "y": object})
    frame.loc[7, "x0"] = "?"
    frame.loc[[4, 9], "y"] = "?"
    status, out, err = fit_summary(tmp_path, frame)
    assert_one_line_error(status, out, err, "column 'x0' has 1 missing value(s) (rows 8; "
                          "1 non-numeric value ('?') read as missing); fill or drop them")
    status, out, err = fit_summary(tmp_path, frame, "--impute", "mean")
    assert status == 0, err
    assert "family      gaussian (inferred: the target is numeric" in out
    assert "of 3 features" in out
    assert "  note: target 'y': 2 non-numeric values ('?') read as missing\n" in out
    assert "  note: dropped 2 row(s) with a missing target 'y' (rows 5, 10)\n" in out
    assert "  note: column 'x0': 1 non-numeric value ('?') read as missing\n" in out
    frame["y"] = np.where(np.arange(300) % 2, "yes", "no")
    status, out, err = fit_summary(tmp_path, frame, "--impute", "mean", "--family", "gaussian")
    assert_one_line_error(status, out, err, "family 'gaussian' needs a numeric target; 'y' "
                          "holds 300 non-numeric values ('no', 'yes')")


def test_a_saved_index_column_is_dropped_and_an_id_column_flagged(tmp_path):
    frame = linear_table()
    frame.insert(0, "id", np.arange(1, 301))
    frame.to_csv(tmp_path / "indexed.csv")                       # with pandas' index
    status, out, err = run_here("fit", tmp_path / "indexed.csv", "--target", "y", "--n-alphas",
                                "5", "--cv", "3", "--out", tmp_path, "-q")
    assert status == 0, err
    assert "of 4 features" in out                                # id, x0, x1, x2
    assert ("  note: dropped column 'Unnamed: 0': it holds the row numbers (an index saved "
            "with the data)\n") in out
    assert ("  note: column 'id' holds the row numbers (1, 2, …, 300); if it is an "
            "identifier, leave it out (--drop id)\n") in out


def test_word_counts_fit_report_path_and_predict_sparse_with_one_note(tmp_path):
    rng = np.random.default_rng(4)
    counts = rng.poisson(0.05, size=(150, 800)) * (np.arange(800) < 700)   # 100 all-zero
    frame = pd.DataFrame(counts, columns=[f"w{j}" for j in range(800)])
    frame["y"] = counts[:, :5] @ [2.0, -1.0, 1.5, 1.0, -2.0] + 0.3 * rng.normal(size=150)
    file = tmp_path / "words.csv"
    frame.to_csv(file, index=False)
    names = ", ".join(f"w{j}" for j in range(700, 708))
    note = f"note: dropped 100 constant columns: {names}, … (100 in all)"
    status, out, err = run_here("report", file, "--target", "y", "--n-alphas", "5", "--cv",
                                "3", "--rounds", "2", "--out", tmp_path / "r", "-q")
    assert status == 0, err
    assert "of 700 features" in out and err == ""
    assert [line.strip() for line in out.splitlines() if "note:" in line] == [note]
    status, out, err = run_here("predict", tmp_path / "r" / "model.npz", file)
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == 150, err
    status, out, err = run_here("path", file, "--target", "y", "--n-alphas", "5")
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == 5, err
    assert f"regularized: {note}\n" in err


def test_tol_and_max_iter_reach_the_solver_and_the_notes_name_them(tmp_path):
    status, out, err = run_here("fit", HOUSES, "--target", "price", "--impute", "mean",
                                "--tol", "1e-14", "--max-iter", "3", "--n-alphas", "10",
                                "--out", tmp_path, "-q")
    assert status == 0, err
    estimator = rio.load(tmp_path / "model.npz").estimator
    assert (estimator.tol, estimator.max_iter) == (1e-14, 3)
    unconverged = [line for line in out.splitlines() if "did not converge" in line]
    assert len(unconverged) == 1, out                             # one line for all alphas
    assert unconverged[0].startswith("  note: the path did not converge at ")   # no "warning:"
    assert "note: warning:" not in out
    assert unconverged[0].endswith("> tol=1.0e-14; raise --max-iter or --tol")
    status, out, err = run_here("path", HOUSES, "--target", "price", "--impute", "mean",
                                "--max-iter", "1", "--n-alphas", "10")
    assert status == 0, err
    warnings = [line for line in err.splitlines() if "warning:" in line]
    assert len(warnings) == 1 and warnings[0].endswith("; raise --max-iter or --tol"), err
    assert "max_iter" not in err


def test_report_takes_tol_and_max_iter(tmp_path):
    status, out, err = run_here("report", HOUSES, "--target", "price", "--impute", "mean",
                                "--tol", "1e-5", "--max-iter", "5000", "--n-alphas", "8",
                                "--rounds", "2", "--cv", "3", "--out", tmp_path, "-q")
    assert status == 0, err
    estimator = rio.load(tmp_path / "model.npz").estimator
    assert (estimator.tol, estimator.max_iter) == (1e-5, 5000)


# ---------------------------------------------------------------------------------------
# bad input: one line on stderr, non-zero exit, never a traceback
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    model = rio.fit_table(rio.read_table(HOUSES), "price", impute="mean", n_alphas=10)
    good = rio.save(model, folder / "good.npz")
    raw = open(good, "rb").read()
    (folder / "truncated.npz").write_bytes(raw[: len(raw) // 2])

    def rewrite(name, change):
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(folder / name, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "regularized-model.json":
                    meta = json.loads(data)
                    change(meta)
                    data = json.dumps(meta).encode()
                zout.writestr(info.filename, data)

    rewrite("tampered.npz", lambda m: m["preprocessing"]["columns"][0].update(fill=1e9))
    rewrite("newer.npz", lambda m: m.update(format_version=99))
    strict = rio.fit_table(rio.read_table(HOUSES).drop(columns=["age"]), "price", n_alphas=10)
    rio.save(strict, folder / "strict.npz")
    no_city = rio.read_table(HOUSES).drop(columns=["city"])
    no_city.to_csv(folder / "no_city.csv", index=False)
    holes = rio.read_table(HOUSES)
    holes.loc[2, "area"] = np.nan
    holes.to_csv(folder / "holes.csv", index=False)
    dates = pd.DataFrame({"when": pd.date_range("2021-03-23", periods=40, freq="5h"),
                          "v": np.arange(40.0), "y": np.arange(40.0) % 7})
    dates.to_parquet(folder / "dates.parquet")
    dates.to_csv(folder / "dates.csv", index=False)         # dates as text, e.g. 2021-03-23
    (folder / "empty.csv").write_text("")
    (folder / "short.csv").write_text("a;b;c\n1;2;3\n4;5\n7;8;9\n")
    (folder / "data.xlsx").write_text("x")
    (folder / "a_file").write_text("x")
    (folder / "empty_dir").mkdir()
    return folder


ERRORS = {
    "missing data file": (["fit", "{d}/nope.csv", "--target", "y"], "no such file"),
    "unknown format": (["fit", "{d}/data.xlsx", "--target", "y"], "cannot tell the format"),
    "empty file": (["fit", "{d}/empty.csv", "--target", "y"], "empty.csv"),
    "missing target column": (["fit", HOUSES, "--target", "prize"], "no column 'prize'"),
    "missing features": (["fit", HOUSES, "--target", "price"],
                         "column 'age' has 3 missing value(s) (rows 5, 18, 41)"),
    "text target as gaussian": (["fit", CHURN, "--target", "churned", "--family", "gaussian"],
                                "needs a numeric target"),
    "three classes as binomial": (["fit", CHURN, "--target", "plan", "--family", "binomial"],
                                  "two classes"),
    "too few folds": (["fit", CHURN, "--target", "churned", "--cv", "1"], "at least 2 folds"),
    "bad l1 ratio": (["fit", CHURN, "--target", "churned", "--l1-ratio", "2"],
                     "must be in [0, 1]"),
    "l1 ratio with l1": (["fit", CHURN, "--target", "churned", "--l1-ratio", "0.5",
                          "--penalty", "l1"], "--l1-ratio applies to --penalty elasticnet"),
    "unknown option": (["fit", CHURN, "--target", "churned", "--frobnicate"],
                       "unrecognized arguments"),
    "bad family": (["fit", CHURN, "--target", "churned", "--family", "gamma"], "invalid choice"),
    "dates as text": (["fit", "{d}/dates.csv", "--target", "y", "--out", "{d}/m"],
                      "column 'when' holds dates or times; convert it to numbers or leave it "
                      "out (--drop when)"),
    "dates in parquet": (["fit", "{d}/dates.parquet", "--target", "y", "--out", "{d}/m"],
                         "column 'when' holds dates or times; convert it to numbers or leave "
                         "it out (--drop when)"),
    "one round": (["report", "--dataset", "diabetes", "--rounds", "1", "--out", "{d}/r"],
                  "argument --rounds: must be at least 2, got 1"),
    "alpha ratio 0": (["fit", CHURN, "--target", "churned", "--alpha-min-ratio", "0"],
                      "argument --alpha-min-ratio: must be in (0, 1), got 0"),
    "alpha ratio 5": (["fit", CHURN, "--target", "churned", "--alpha-min-ratio", "5"],
                      "argument --alpha-min-ratio: must be in (0, 1), got 5"),
    "tol 0": (["path", CHURN, "--target", "churned", "--tol", "0"],
              "argument --tol: must be a positive number, got 0"),
    "row with too few fields": (["fit", "{d}/short.csv", "--target", "c", "--out", "{d}/m"],
                                "short.csv: expected 3 fields in line 3, saw 2"),
    "no command": ([], "give a command"),
    "no data": (["fit", "--target", "x"], "give a data file"),
    "data and dataset": (["report", HOUSES, "--dataset", "diabetes"], "not both"),
    "unknown dataset": (["report", "--dataset", "nope"], "unknown dataset 'nope'"),
    "unknown drop": (["fit", HOUSES, "--target", "price", "--drop", "zzz"], "'zzz'"),
    "out is a file": (["fit", CHURN, "--target", "churned", "--out", "{d}/a_file"],
                      "not a directory"),
    "missing model": (["predict", "{d}/nope.npz", HOUSES], "no such file"),
    "directory without a model": (["predict", "{d}/empty_dir", HOUSES],
                                  "empty_dir is a directory without a model.npz; give the "
                                  "model file that `regularized fit` wrote"),
    "truncated model": (["predict", "{d}/truncated.npz", HOUSES], "corrupt or truncated"),
    "tampered model": (["predict", "{d}/tampered.npz", HOUSES], "integrity check"),
    "newer model": (["predict", "{d}/newer.npz", HOUSES], "newer regularized"),
    "not a model": (["predict", HOUSES, HOUSES], "not a regularized model file"),
    "predict data lacks a column": (["predict", "{d}/good.npz", "{d}/no_city.csv"],
                                    "lacks column(s) the model needs: 'city'"),
    "predict data has missing values": (["predict", "{d}/strict.npz", "{d}/holes.csv"],
                                        "column 'area' has 1 missing value(s) (rows 3) and "
                                        "the model was fitted without imputation"),
    "predict output format": (["predict", "{d}/good.npz", HOUSES, "--out", "{d}/p.json"],
                              "cannot tell the format"),
}
# Every case runs in-process below; these also run as a real command.
SUBPROCESS = ["missing data file", "missing features", "unknown option", "truncated model",
              "tampered model", "newer model"]


def _args(name, folder):
    args, match = ERRORS[name]
    return [a.replace("{d}", str(folder)) for a in args], match


@pytest.mark.parametrize("name", SUBPROCESS)
def test_bad_input_through_a_subprocess(model_files, name):
    args, match = _args(name, model_files)
    result = run(*args)
    assert_one_line_error(result.returncode, result.stdout, result.stderr, match)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_input_in_process(model_files, name):
    args, match = _args(name, model_files)
    assert_one_line_error(*run_here(*args), match)


def test_help_version_and_datasets():
    status, out, err = run_here("datasets")
    assert status == 0 and out.splitlines()[0].startswith("diabetes ")
    assert "breast_cancer" in out
    status, _, _ = run_here("--help")
    assert status == 0
    status, _, _ = run_here("fit", "--help")
    assert status == 0


def test_progress_bars_show_on_a_terminal_after_a_delay_and_never_when_quiet():
    from rich.console import Console

    from regularized.report import NullProgress, RichProgress

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with RichProgress(console, delay=0) as progress:
        with progress.task("cross-validating", total=3) as task:
            for _ in range(3):
                task.advance()
    assert "cross-validating" in buffer.getvalue()
    quiet = io.StringIO()
    console = Console(file=quiet, force_terminal=True)
    with RichProgress(console, delay=5.0) as progress:        # ends before the delay
        with progress.task("quick", total=1) as task:
            task.advance()
    assert quiet.getvalue() == ""
    not_a_terminal = io.StringIO()
    with RichProgress(Console(file=not_a_terminal), delay=0) as progress:
        with progress.task("piped", total=1) as task:
            task.advance()
    assert not_a_terminal.getvalue() == ""
    with NullProgress() as progress, progress.task("nothing") as task:
        task.advance()


def test_failed_fit_leaves_no_output_directory(tmp_path):
    out = tmp_path / "model"
    assert_one_line_error(*run_here("fit", HOUSES, "--target", "no_such_column",
                                    "--out", out), match="no column")
    assert not out.exists()


def test_latin1_csv_is_read(tmp_path):
    """Spreadsheets save Windows-1252/Latin-1: not UTF-8, read anyway (was a decode error)."""
    rows = ["city,x,y"] + [f"{c},{k},{2.0 * k + 0.1 * (k % 3)}" for k, c in
                           enumerate(["Béziers", "Nîmes", "Lyon", "Orléans"] * 5)]
    path = tmp_path / "latin1.csv"
    path.write_bytes("\n".join(rows).encode("latin-1"))
    status, stdout, stderr = run_here("fit", path, "--target", "y", "--cv", "3",
                                      "--out", tmp_path / "m")
    assert status == 0, stderr
    assert (tmp_path / "m" / "model.npz").exists()
