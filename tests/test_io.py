"""regularized.io: reading tables, preprocessing, fitting a table, model files."""
import gzip
import importlib
import io
import json
import os
import zipfile

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from regularized import io as rio  # noqa: E402
from regularized.estimators import (ElasticNet, Lasso, LassoCV,  # noqa: E402
                                    LogisticRegression, PoissonRegressor, Ridge)

DATA = os.path.join(os.path.dirname(__file__), "data")
HOUSES = os.path.join(DATA, "houses.csv")
CHURN = os.path.join(DATA, "churn.csv")


def raw_table():
    return pd.DataFrame({
        "size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "color": ["red", "blue", "red", "green", "blue", "red"],
        "flag": [True, False, True, True, False, False],
        "same": [7, 7, 7, 7, 7, 7],
        "empty": [np.nan] * 6,
    })


# ---------------------------------------------------------------------------------------
# preprocessing
# ---------------------------------------------------------------------------------------
def test_one_hot_constant_columns_and_feature_names():
    pre = rio.Preprocessor().fit(raw_table())
    # a two-level column takes one indicator (its second level)
    assert pre.feature_names_ == ["size", "color=blue", "color=green", "color=red",
                                  "flag=True"]
    X = pre.transform(raw_table())
    np.testing.assert_array_equal(X[:, 0], [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(X[:, 1:4].sum(axis=1), 1.0)
    np.testing.assert_array_equal(X[:, 3], [1, 0, 1, 0, 0, 1])
    assert any("dropped column 'same': constant (7)" in n for n in pre.notes_)
    assert any("dropped column 'empty': all values missing" in n for n in pre.notes_)


def test_transform_matches_by_name_ignores_extra_columns_and_flags_unseen_levels():
    pre = rio.Preprocessor().fit(raw_table())
    new = pd.DataFrame({"extra": [0, 0], "flag": [False, True], "color": ["purple", "red"],
                        "size": [10.0, 11.0]})                   # dropped columns absent
    notes = []
    X = pre.transform(new, notes=notes)
    np.testing.assert_array_equal(X, [[10, 0, 0, 0, 0], [11, 0, 0, 1, 1]])
    assert len(notes) == 1 and "'purple'" in notes[0] and "color=" in notes[0]


def test_missing_values_are_an_error_unless_imputed():
    frame = raw_table()
    frame.loc[2, "size"] = np.nan
    with pytest.raises(ValueError, match=r"column 'size' has 1 missing value\(s\) \(rows 3\)"):
        rio.Preprocessor().fit(frame)
    mean = rio.Preprocessor(impute="mean").fit(frame)
    median = rio.Preprocessor(impute="median").fit(frame)
    assert mean.transform(frame)[2, 0] == pytest.approx(np.mean([1, 2, 4, 5, 6]))
    assert median.transform(frame)[2, 0] == 4.0
    # categorical: the most frequent level
    frame.loc[1, "color"] = None                          # red is then the most frequent
    pre = rio.Preprocessor(impute="median").fit(frame)
    assert pre.transform(frame)[1, pre.feature_names_.index("color=red")] == 1.0
    # predict-time missing values use the training fill, or fail without imputation
    plain = rio.Preprocessor().fit(raw_table())
    with pytest.raises(ValueError, match="fitted without imputation"):
        plain.transform(frame)


def test_numeric_column_with_text_at_predict_time_is_a_clear_error():
    pre = rio.Preprocessor().fit(raw_table())
    bad = raw_table().astype({"size": object})
    bad.loc[1, "size"] = "abc"
    with pytest.raises(ValueError, match="column 'size' must be numeric.*'abc'"):
        pre.transform(bad)
    with pytest.raises(ValueError, match="lacks column.*'color'"):
        pre.transform(raw_table().drop(columns=["color"]))


def _mostly_numbers(n=300, tokens=(("?", 7),), seed=0):
    """A column of ``n`` numbers written as text (as read from a CSV) with a few stray
    tokens: ``tokens`` gives (token, row)."""
    values = np.random.default_rng(seed).normal(size=n).round(3).astype(str).astype(object)
    for token, row in tokens:
        values[row] = token
    return values


def test_a_numeric_column_with_a_few_stray_tokens_stays_numeric():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x0": _mostly_numbers(), "x1": rng.normal(size=300)})
    with pytest.raises(ValueError, match=r"^column 'x0' has 1 missing value\(s\) \(rows 8; "
                       r"1 non-numeric value \('\?'\) read as missing\); fill or drop"):
        rio.Preprocessor().fit(frame)
    pre = rio.Preprocessor(impute="median").fit(frame)
    assert pre.feature_names_ == ["x0", "x1"]                # not 300 dummy columns
    fill = np.median(np.delete(frame["x0"].to_numpy(), 7).astype(float))
    assert pre.notes_ == ["column 'x0': 1 non-numeric value ('?') read as missing",
                          f"column 'x0': 1 missing value(s) imputed with the median {fill:g}"]
    X = pre.transform(frame)
    assert X.shape == (300, 2) and X[7, 0] == fill and X[8, 0] == float(frame["x0"][8])
    # predict time (and through a model file): tokens read as missing again, with a note
    copy = rio.Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict())))
    later = pd.DataFrame({"x0": ["n/a", "1.5", "-"], "x1": [0.0, 0.0, 0.0]})
    notes = []
    np.testing.assert_array_equal(copy.transform(later, notes=notes)[:, 0], [fill, 1.5, fill])
    assert notes == ["column 'x0': 2 non-numeric values ('n/a', '-') read as missing"]
    # several columns with tokens: one note; up to 3 distinct tokens shown
    frame["x2"] = _mostly_numbers(tokens=[("?", 0), ("n/a", 1), ("-", 2), ("x", 3)])
    pre = rio.Preprocessor(impute="mean").fit(frame)
    assert pre.notes_[0] == ("read non-numeric values as missing in 2 mostly-numeric "
                             "columns: x0 (1 non-numeric value ('?')), x2 (4 non-numeric "
                             "values ('?', 'n/a', '-', …))")
    # text that is not mostly numbers stays categorical (here 75% numbers)
    codes = pd.DataFrame({"code": ["1", "2", "x", "2"] * 5, "v": np.arange(20.0)})
    assert rio.Preprocessor().fit(codes).feature_names_[:3] == ["code=1", "code=2", "code=x"]


def test_a_mostly_numeric_target_drops_its_stray_rows_and_is_gaussian():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    frame["y"] = _mostly_numbers(tokens=[("?", 4), ("?", 9)])
    prepared = rio.prepare_table(frame, "y")
    assert prepared.family == "gaussian" and prepared.family_reason == "the target is numeric"
    assert prepared.notes == ["target 'y': 2 non-numeric values ('?') read as missing",
                              "dropped 2 row(s) with a missing target 'y' (rows 5, 10)"]
    assert prepared.X.shape == (298, 2) and prepared.y.dtype == np.float64
    assert frame["y"][4] == "?"                                 # the caller's frame unchanged
    # a text target that is not mostly numbers: the error names its non-numeric values
    frame["y"] = ["yes", "no", "4"] * 100
    with pytest.raises(ValueError, match=r"family 'gaussian' needs a numeric target; 'y' "
                       r"holds 200 non-numeric values \('yes', 'no'\)$"):
        rio.prepare_table(frame, "y", family="gaussian")


@pytest.mark.parametrize("when", [
    ["2021-03-23", "2021-03-24", None, "2021-04-01"],
    ["2021-03-23 10:00", "2021-03-23 11:30", "2021-03-24 09:15", "2021-03-25 18:00"],
    ["2021-03-23", "2021-03-23 10:00", "2021-03-24", "2021-03-25 18:00"],   # ISO, mixed
    ["23/03/2021", "24/03/2021", "01/04/2021", "02/04/2021"],               # day first
    ["3/23/21", "3/24/21", "4/1/21", "4/2/21"],
    ["10:00", "11:30", "09:15", "18:00"],
])
def test_dates_written_as_text_are_refused_like_datetime_columns(when, tmp_path):
    frame = pd.DataFrame({"when": when, "v": [1.0, 2.0, 3.0, 5.0]})
    message = r"^column 'when' holds dates or times; convert it to numbers or leave it out"
    with pytest.raises(ValueError, match=message):
        rio.Preprocessor(impute="mean").fit(frame)
    # the same message as for real date columns from Parquet (timestamps and date32)
    frame["when"] = pd.to_datetime(frame["when"], format="mixed", dayfirst="/" in when[0])
    with pytest.raises(ValueError, match=message):
        rio.Preprocessor(impute="mean").fit(frame)
    frame["when"] = frame["when"].dt.date
    frame.to_parquet(tmp_path / "dates.parquet")
    with pytest.raises(ValueError, match=message):
        rio.Preprocessor(impute="mean").fit(rio.read_table(tmp_path / "dates.parquet"))


@pytest.mark.parametrize("values", [
    ["May", "June", "May", "July"], ["Q1", "Q2", "Q3", "Q1"], ["red", "blue", "red", "2021"],
    ["2021-03-23", "soon", "2021-03-24", "2021-03-25"], ["A1", "B2", "C3", "A1"],
    ["1st", "2nd", "3rd", "1st"], ["12/05", "13/05", "12/05", "14/05"],
])
def test_ordinary_categories_are_not_taken_for_dates(values):
    frame = pd.DataFrame({"c": values, "v": [1.0, 2.0, 3.0, 5.0]})
    assert rio.Preprocessor().fit(frame).columns_[0]["kind"] == "categorical"


def test_row_number_columns_are_dropped_when_unnamed_and_flagged_otherwise(tmp_path):
    rng = np.random.default_rng(3)
    n = 40
    frame = pd.DataFrame({"id": np.arange(1, n + 1), "a": rng.normal(size=n),
                          "shuffled": rng.permutation(n), "count": np.arange(n) * 1.0})
    frame["y"] = frame.a + rng.normal(size=n)
    frame.loc[[2, 5], "y"] = np.nan
    file = tmp_path / "with_index.csv"
    frame.to_csv(file)                                 # pandas' default: the index too
    table = rio.read_table(file)
    assert table.columns[0] == "Unnamed: 0"
    prepared = rio.prepare_table(table, "y")           # rows 3 and 6 dropped first
    assert prepared.feature_names == ["id", "a", "shuffled", "count"]
    assert prepared.notes[1:] == [
        "dropped column 'Unnamed: 0': it holds the row numbers (an index saved with the data)",
        f"column 'id' holds the row numbers (1, 2, …, {n}); if it is an identifier, leave "
        "it out (--drop id)"]
    # an empty header (Parquet) is unnamed too; the index column is not needed to predict
    table = table.rename(columns={"Unnamed: 0": ""})
    model = rio.fit_table(table, "y", drop=["id"], n_alphas=5, cv=3)
    assert model.feature_names == ["a", "shuffled", "count"]
    assert model.info["notes"][1].startswith("dropped column '': it holds the row numbers")
    assert model.predict(table.drop(columns=[""])).shape == (n,)


def test_levels_compare_as_text_so_numbers_and_strings_match():
    train = pd.DataFrame({"code": ["1", "2", "x", "2"], "v": [1.0, 2.0, 3.0, 4.0]})
    pre = rio.Preprocessor().fit(train)
    later = pd.DataFrame({"code": [1.0, 2.0, np.nan], "v": [1.0, 1.0, 1.0]})
    pre2 = rio.Preprocessor(impute="mean").fit(train)
    X = pre2.transform(later)
    np.testing.assert_array_equal(X[:2, :3], [[1, 0, 0], [0, 1, 0]])
    assert pre.feature_names_ == ["code=1", "code=2", "code=x", "v"]


def test_notes_of_one_kind_are_one_line_for_many_columns():
    rng = np.random.default_rng(0)
    n = 12
    frame = pd.DataFrame({"signal": rng.normal(size=n)})
    for j in range(20):                                       # 20 constant word counts
        frame[f"w{j}"] = 0
    frame["level"] = "same"                                   # constant text counts too
    frame["blank1"] = np.nan
    frame["blank2"] = np.nan
    for j in range(3):
        frame[f"h{j}"] = rng.normal(size=n)
        frame.loc[j, f"h{j}"] = np.nan
    pre = rio.Preprocessor(impute="median").fit(frame)
    names = ", ".join(f"w{j}" for j in range(8))
    assert pre.notes_ == [
        f"dropped 21 constant columns: {names}, … (21 in all)",
        "dropped 2 columns with every value missing: blank1, blank2",
        "imputed the missing values of 3 columns: "
        + ", ".join(f"h{j} (1, with the median {np.nanmedian(frame[f'h{j}']):g})"
                    for j in range(3)),
    ]
    assert pre.feature_names_ == ["signal", "h0", "h1", "h2"]
    # at predict time too: unseen levels of several columns make one note
    train = pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "v", "v"], "c": [1.0, 2.0, 4.0]})
    pre = rio.Preprocessor().fit(train)
    notes = []
    pre.transform(pd.DataFrame({"a": ["z", "x"], "b": ["w", "w"], "c": [1.0, 1.0]}),
                  notes=notes)
    assert notes == ["2 columns have levels not seen in training (those rows get zeros in "
                     "the column's one-hot group): a (1 row(s): 'z'), b (2 row(s): 'w')"]


def test_preprocessor_round_trips_through_a_dict():
    frame = raw_table()
    frame.loc[1, "size"] = np.nan
    pre = rio.Preprocessor(impute="median").fit(frame)
    copy = rio.Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict())))
    np.testing.assert_array_equal(copy.transform(frame), pre.transform(frame))
    assert copy.feature_names_ == pre.feature_names_


# ---------------------------------------------------------------------------------------
# tables, family, fitting
# ---------------------------------------------------------------------------------------
def test_read_table_csv_parquet_and_errors(tmp_path):
    frame = rio.read_table(HOUSES)
    assert frame.shape == (80, 7)
    pq = tmp_path / "houses.parquet"
    frame.to_parquet(pq)
    pd.testing.assert_frame_equal(rio.read_table(pq), frame)
    with pytest.raises(FileNotFoundError, match="no such file"):
        rio.read_table(tmp_path / "nope.csv")
    (tmp_path / "data.xlsx").write_text("x")
    with pytest.raises(ValueError, match="cannot tell the format"):
        rio.read_table(tmp_path / "data.xlsx")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="could not read|no data rows"):
        rio.read_table(tmp_path / "empty.csv")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ValueError, match="could not read"):
        rio.read_table(tmp_path / "broken.parquet")


@pytest.mark.parametrize("name, text", [
    ("semicolons.csv", "x 1;x, 2;x3;y\n1;2,5;3;4\n5;6,1;7;8\n9;1,2;2;3\n"),
    ("tabs.csv", "x 1\tx, 2\tx3\ty\n1\t2,5\t3\t4\n5\t6,1\t7\t8\n9\t1,2\t2\t3\n"),
    ("pipes.txt", "x 1|x, 2|x3|y\n1|2,5|3|4\n5|6,1|7|8\n9|1,2|2|3\n"),
    ("commas.csv", 'x 1,"x, 2",x3,y\n1,"2;5",3,4\n5,"6;1",7,8\n9,"1|2",2,3\n'),
])
def test_read_table_finds_the_delimiter_of_a_csv(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    frame = rio.read_table(tmp_path / name)
    assert list(frame.columns) == ["x 1", "x, 2", "x3", "y"]
    assert frame["y"].tolist() == [4, 8, 3]
    (tmp_path / "one.csv").write_text("y\n1\n2;3\n")              # one column: commas
    assert list(rio.read_table(tmp_path / "one.csv").columns) == ["y"]


def test_a_table_read_with_the_wrong_delimiter_gets_a_hint():
    frame = pd.DataFrame({"x 1;x": ["1;2"], " 2;x3;y": ["5;3;4"]})
    with pytest.raises(ValueError, match=r"^no column 'y' in the data; its columns are: "
                       r"x 1;x,  2;x3;y \(the file may use another delimiter: ';' in the "
                       r"column names\)$"):
        rio.prepare_table(frame, "y")


def test_rows_with_too_few_or_too_many_fields_are_errors_naming_the_line(tmp_path):
    file = tmp_path / "short.csv"
    file.write_text("a,b,c\n1,2,3\n\n4,5\n7,,9\n")            # line 4 lacks a field
    with pytest.raises(ValueError, match=r"short.csv: expected 3 fields in line 4, saw 2$"):
        rio.read_table(file)
    file.write_text("a,b,c\n1,2,3\n4,5,6,7\n")
    with pytest.raises(ValueError, match=r"could not read .*Expected 3 fields in line 3, "
                       r"saw 4"):
        rio.read_table(file)
    # empty fields, blank lines and quoted line breaks are not short rows
    file.write_text('a,b,c\n1,2,3\n\n7,,9\n10,11,\n"x\ny",1,\n')
    frame = rio.read_table(file)
    assert frame.shape == (4, 3) and frame["c"].isna().sum() == 2
    gz = tmp_path / "short.csv.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write("a;b;c\n1;2;3\n4;5\n")
    with pytest.raises(ValueError, match=r"expected 3 fields in line 3, saw 2$"):
        rio.read_table(gz)


@pytest.mark.parametrize("values, family", [
    ([1.5, 2.0, 3.25, 4.0], "gaussian"),
    ([0, 1, 1, 0], "binomial"),
    (["yes", "no", "no", "yes"], "binomial"),
    (["a", "b", "c", "a"], "multinomial"),
])
def test_family_follows_from_the_target(values, family):
    assert rio.infer_family(pd.Series(values))[0] == family


def test_prepare_drops_rows_with_missing_target_with_a_note():
    prepared = rio.prepare_table(rio.read_table(HOUSES), "price", impute="mean")
    assert prepared.X.shape == (78, 7) and prepared.family == "gaussian"  # garden: one indicator
    assert prepared.notes[0] == "dropped 2 row(s) with a missing target 'price' (rows 10, 34)"
    with pytest.raises(ValueError, match="no column 'prize'.*area, rooms"):
        rio.prepare_table(rio.read_table(HOUSES), "prize")
    with pytest.raises(ValueError, match="needs a numeric target"):
        rio.prepare_table(rio.read_table(CHURN), "churned", family="gaussian")
    with pytest.raises(ValueError, match=r"two classes.*has 3 \(use --family multinomial\)"):
        rio.prepare_table(rio.read_table(CHURN), "plan", family="binomial")
    # a continuous target is not a many-class one (the hint said "use --family multinomial")
    with pytest.raises(ValueError, match=r"has \d+ \(it looks continuous: use --family gaussian"):
        rio.prepare_table(rio.read_table(HOUSES), "price", family="binomial")


def word_counts(n=200, p=600, n_constant=100, seed=0):
    """A bag-of-words table: ``p`` Poisson counts (about 6% non-zero), the last
    ``n_constant`` columns all zeros, and ``y`` a linear function of the first ten."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(0.06, size=(n, p))
    counts[:, p - n_constant:] = 0
    frame = pd.DataFrame(counts, columns=[f"w{j}" for j in range(p)])
    frame["y"] = counts[:, :10] @ rng.normal(size=10) + 0.5 * rng.normal(size=n)
    return frame


def test_large_mostly_zero_designs_are_fitted_as_sparse_csc(tmp_path, monkeypatch):
    import scipy.sparse as sp

    frame = word_counts()
    prepared = rio.prepare_table(frame, "y")
    assert isinstance(prepared.X, np.ndarray) and prepared.X.shape == (200, 500)
    assert sp.issparse(prepared.design) and prepared.design.format == "csc"
    np.testing.assert_array_equal(prepared.design.toarray(), prepared.X)
    small = rio.prepare_table(frame.iloc[:, list(range(150)) + [600]], "y")  # 30,000 entries
    assert small.design is small.X
    denser = frame.copy()
    denser.iloc[:, :60] += 1                                  # over 10% non-zero now
    denser = rio.prepare_table(denser, "y")
    assert denser.design is denser.X
    seen = []
    fit = LassoCV.fit

    def spy(self, X, y, **kw):
        seen.append(sp.issparse(X))
        return fit(self, X, y, **kw)

    monkeypatch.setattr(LassoCV, "fit", spy)
    model = rio.fit_table(frame, "y", n_alphas=10, cv=3)
    path_module = importlib.import_module("regularized.path")   # (regularized.path is the function)
    monkeypatch.setattr(path_module, "SPARSE_MIN_ENTRIES", 10 ** 9)   # the same fit, dense
    dense = rio.fit_table(frame, "y", n_alphas=10, cv=3)
    assert seen == [True, False]
    assert model.info["alpha"] == pytest.approx(dense.info["alpha"], rel=1e-12)
    np.testing.assert_allclose(model.coef_, dense.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.feature_scale, dense.feature_scale, rtol=1e-12)
    # the model file is the same format: the same arrays and the same metadata keys
    rio.save(model, tmp_path / "sparse.npz")
    rio.save(dense, tmp_path / "dense.npz")
    assert _arrays(tmp_path / "sparse.npz").keys() == _arrays(tmp_path / "dense.npz").keys()
    np.testing.assert_allclose(rio.load(tmp_path / "sparse.npz").predict(frame),
                               model.predict(frame), rtol=1e-12)


def _same_predictions(a, b):
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy())


@pytest.mark.parametrize("path, target, family, penalty", [
    (HOUSES, "price", None, "l1"),
    (HOUSES, "price", None, "l2"),
    (CHURN, "churned", None, "elasticnet"),
    (CHURN, "support_calls", "poisson", "l1"),
])
def test_fit_save_load_predict_round_trip(tmp_path, path, target, family, penalty):
    frame = rio.read_table(path)
    model = rio.fit_table(frame, target, family=family, penalty=penalty, impute="median",
                          n_alphas=30)
    file = rio.save(model, tmp_path / "model.npz")
    loaded = rio.load(file)
    assert isinstance(loaded, rio.Model)
    assert loaded.family == model.family and loaded.feature_names == model.feature_names
    assert type(loaded.estimator) is type(model.estimator)
    _same_predictions(loaded.predict_frame(frame), model.predict_frame(frame))
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.info["alpha"] == model.info["alpha"]
    assert loaded.info["notes"] == model.info["notes"]
    np.testing.assert_array_equal(loaded.feature_scale, model.feature_scale)


def test_fit_table_summary_numbers_are_the_cv_numbers():
    frame = rio.read_table(CHURN)
    model = rio.fit_table(frame, "churned", n_alphas=20, selection="1se")
    cvp = model.estimator.cv_path_
    assert model.family == "binomial" and "two classes" in model.info["family_reason"]
    assert model.info["alpha"] == cvp.alpha_1se
    assert model.info["cv_score"] == cvp.cvm[cvp.index_1se]
    assert model.info["score_name"] == "binomial deviance"
    assert set(model.classes_) == {"no", "yes"}


def test_multinomial_table(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=45), "b": rng.normal(size=45)})
    frame["kind"] = np.where(frame.a > 0.5, "high", np.where(frame.a < -0.5, "low", "mid"))
    model = rio.fit_table(frame, "kind", n_alphas=4, cv=3)
    assert model.family == "multinomial" and model.coef_matrix.shape == (3, 2)
    loaded = rio.load(rio.save(model, tmp_path / "m.npz"))
    _same_predictions(loaded.predict_frame(frame), model.predict_frame(frame))
    proba = loaded.predict_proba(frame)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# ---------------------------------------------------------------------------------------
# model files
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    frame = rio.read_table(HOUSES)
    model = rio.fit_table(frame, "price", impute="mean", n_alphas=20)
    path = tmp_path_factory.mktemp("model") / "model.npz"
    rio.save(model, path)
    return path, frame, model


@pytest.mark.parametrize("estimator", [
    Lasso(alpha=0.1), ElasticNet(alpha=0.05, l1_ratio=0.3), Ridge(alpha=2.0),
    LogisticRegression(C=0.5, class_weight={0: 1.0, 1: 2.0}), PoissonRegressor(alpha=0.01),
    LassoCV(alphas=10, cv=3, penalty_factor=np.array([1.0, 0.5, 1.0, 1.0])),
])
def test_bare_estimators_round_trip(tmp_path, estimator):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 4))
    y = X @ [1.0, -2.0, 0.0, 0.5] + rng.normal(size=40)
    if isinstance(estimator, LogisticRegression):
        y = (y > 0).astype(int)
    elif isinstance(estimator, PoissonRegressor):
        y = rng.poisson(np.exp(0.3 * X[:, 0]))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    estimator.fit(frame, y)
    loaded = rio.load(rio.save(estimator, tmp_path / "est.npz"))
    assert type(loaded) is type(estimator)
    assert list(loaded.feature_names_in_) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(loaded.predict(frame), estimator.predict(frame))
    for key, value in estimator.get_params().items():
        np.testing.assert_equal(loaded.get_params()[key], value)


def test_files_hold_json_and_plain_arrays_only(saved_model):
    path, _, _ = saved_model
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta = json.loads(zf.read("regularized-model.json"))
        for name in names:
            if name.endswith(".npy"):
                a = np.lib.format.read_array(io.BytesIO(zf.read(name)), allow_pickle=False)
                assert a.dtype.kind in "biuf"
    assert meta["format"] == "regularized-model" and meta["format_version"] == 1
    assert meta["family"] == "gaussian" and meta["preprocessing"]["impute"] == "mean"
    assert "city=Paris" in meta["feature_names"]
    np.load(path, allow_pickle=False)                     # a valid .npz for numpy too


def _rewrite(src, dst, change):
    """Copy a model archive, passing each member's bytes through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return dst


def test_corrupt_truncated_tampered_and_newer_files_give_clear_errors(saved_model, tmp_path):
    path, _, _ = saved_model
    raw = open(path, "rb").read()

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        rio.load(truncated)

    flipped = bytearray(raw)
    flipped[len(raw) // 3] ^= 0xFF
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="corrupt|integrity"):
        rio.load(corrupt)

    def bump_coef(name, data):
        if name == "arrays/coef_.npy":
            a = np.lib.format.read_array(io.BytesIO(data))
            a[0] += 1.0
            buf = io.BytesIO()
            np.lib.format.write_array(buf, a)
            return buf.getvalue()
        return data

    with pytest.raises(ValueError, match="integrity check"):
        rio.load(_rewrite(path, tmp_path / "tampered.npz", bump_coef))

    def edit_meta(key, value):
        def change(name, data):
            if name == "regularized-model.json":
                meta = json.loads(data)
                meta[key] = value
                return json.dumps(meta).encode()
            return data
        return change

    with pytest.raises(ValueError, match="integrity check"):
        rio.load(_rewrite(path, tmp_path / "meta.npz", edit_meta("target", "other")))
    with pytest.raises(ValueError, match="newer regularized.*version 2.*upgrade"):
        rio.load(_rewrite(path, tmp_path / "newer.npz", edit_meta("format_version", 2)))
    with pytest.raises(ValueError, match="not a regularized model file"):
        rio.load(_rewrite(path, tmp_path / "other.npz", edit_meta("format", "something")))

    not_zip = tmp_path / "model.csv"
    not_zip.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a regularized model file"):
        rio.load(not_zip)
    plain_npz = tmp_path / "plain.npz"
    np.savez(plain_npz, a=np.arange(3))
    with pytest.raises(ValueError, match="not a regularized model file"):
        rio.load(plain_npz)
    with pytest.raises(FileNotFoundError):
        rio.load(tmp_path / "missing.npz")


def test_load_refuses_classes_outside_the_estimators(saved_model, tmp_path):
    path, _, _ = saved_model

    def change(name, data):
        if name == "regularized-model.json":
            meta = json.loads(data)
            meta["estimator"]["class"] = "os.system"
            meta["sha256"] = rio._checksum(meta, _arrays(path))
            return json.dumps(meta).encode()
        return data

    with pytest.raises(ValueError, match="unknown estimator class 'os.system'"):
        rio.load(_rewrite(path, tmp_path / "evil.npz", change))


def test_load_refuses_private_attribute_names(saved_model, tmp_path):
    path, _, _ = saved_model

    def change(name, data):
        if name == "regularized-model.json":
            meta = json.loads(data)
            meta["estimator"]["attributes"]["__class__"] = "x"
            meta["sha256"] = rio._checksum(meta, _arrays(path))
            return json.dumps(meta).encode()
        return data

    with pytest.raises(ValueError, match="bad attribute name '__class__'"):
        rio.load(_rewrite(path, tmp_path / "evil.npz", change))


def test_top_level_save_and_load():
    import regularized

    if not hasattr(regularized, "save"):
        pytest.skip("regularized.save/load: exported by regularized/__init__.py")
    assert regularized.save is rio.save and regularized.load is rio.load


def _arrays(path):
    with zipfile.ZipFile(path) as zf:
        return {n[len("arrays/"):-4]: np.lib.format.read_array(io.BytesIO(zf.read(n)))
                for n in zf.namelist() if n.startswith("arrays/")}


def test_save_refuses_unfitted_and_foreign_models(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        rio.save(Lasso(), tmp_path / "x.npz")
    from sklearn.linear_model import Lasso as SkLasso

    with pytest.raises(ValueError, match="cannot save a Lasso"):
        rio.save(SkLasso().fit([[0.0], [1.0]], [0.0, 1.0]), tmp_path / "x.npz")
    assert not os.path.exists(tmp_path / "x.npz")


def test_path_frame_has_one_row_per_alpha():
    from regularized import path

    X = np.random.default_rng(0).normal(size=(30, 3))
    fit = path(X, X[:, 0] + 0.1, n_alphas=7)
    table = rio.path_frame(fit, ["a", "b", "c"])
    assert list(table.columns) == ["alpha", "n_nonzero", "deviance_ratio", "gap",
                                   "intercept", "a", "b", "c"]
    np.testing.assert_array_equal(table[["a", "b", "c"]].to_numpy(), fit.coef)


def test_numbers_written_with_formats_are_read_as_numbers_with_one_note(tmp_path):
    rng = np.random.default_rng(5)
    n = 200
    pct = rng.integers(0, 100, n)
    thou = rng.integers(1000, 900_000, n)
    acct = rng.integers(1, 999, n) * np.where(rng.random(n) < 0.3, -1, 1)
    frame = pd.DataFrame({
        "pct": [f"{v}%" for v in pct],
        "thou": [f"{v:,}" for v in thou],
        "acct": [f"({-v})" if v < 0 else str(v) for v in acct],
        "mixed": [f"{v}%" if k % 2 else f"({v}%)" for k, v in enumerate(pct)],
    })
    frame["y"] = pct + rng.normal(size=n)
    file = tmp_path / "formatted.csv"
    frame.to_csv(file, index=False)                 # '2,219' quoted in a comma CSV
    table = rio.read_table(file)
    prepared = rio.prepare_table(table, "y")
    assert prepared.feature_names == ["pct", "thou", "acct", "mixed"]   # not dummies
    np.testing.assert_array_equal(prepared.X[:, 0], pct)
    np.testing.assert_array_equal(prepared.X[:, 1], thou)
    np.testing.assert_array_equal(prepared.X[:, 2], acct)
    signs = np.where(np.arange(n) % 2, 1, -1)
    np.testing.assert_array_equal(prepared.X[:, 3], signs * pct)
    assert prepared.notes == [
        "read 4 columns of numbers written with formats: pct (read as numbers (percent "
        "signs dropped)), thou (read as numbers (thousands separators removed)), acct (read "
        "as numbers ((x) read as -x)), mixed (read as numbers (percent signs dropped, (x) "
        "read as -x))"]
    one = rio.Preprocessor().fit(table[["pct", "y"]])
    assert one.notes_ == ["column 'pct': read as numbers (percent signs dropped)"]
    # predict time, also through a model file: the same formats read the same way
    copy = rio.Preprocessor.from_dict(json.loads(json.dumps(one.to_dict())))
    np.testing.assert_array_equal(
        copy.transform(pd.DataFrame({"pct": ["5%", "7"], "y": [1.0, 2.0]}))[:, 0], [5, 7])
    # formatted numbers count toward the 90% rule, the others read as missing
    frame = pd.DataFrame({"pct": [f"{v}%" for v in pct[:19]] + ["?"], "v": np.arange(20.0)})
    pre = rio.Preprocessor(impute="mean").fit(frame)
    assert pre.feature_names_ == ["pct", "v"]
    assert pre.notes_[:2] == ["column 'pct': read as numbers (percent signs dropped)",
                              "column 'pct': 1 non-numeric value ('?') read as missing"]


def test_decimal_commas_are_read_by_the_delimiter(tmp_path):
    rng = np.random.default_rng(6)
    n = 200
    y = rng.normal(size=n).round(4) + 2
    x = rng.integers(100, 999, n) / 1000 + 1            # '1,234': decimal in a ';' file
    text = "a;x;y\n" + "".join(f"{k % 3};{x[k]:.3f};{y[k]:.4f}\n".replace(".", ",")
                               for k in range(n))
    file = tmp_path / "semicolon.csv"
    file.write_text(text)
    table = rio.read_table(file)
    prepared = rio.prepare_table(table, "y")
    assert prepared.family == "gaussian"
    np.testing.assert_allclose(prepared.y, y)
    np.testing.assert_allclose(prepared.X[:, 1], x)
    assert prepared.notes == ["target 'y': decimal commas read as numbers",
                              "column 'x': decimal commas read as numbers"]
    # the same '1,234' values in a comma file (quoted) are thousands
    comma = tmp_path / "comma.csv"
    pd.DataFrame({"x": [f"{round(v * 1000):,}" for v in x], "y": y}).to_csv(comma, index=False)
    prepared = rio.prepare_table(rio.read_table(comma), "y")
    np.testing.assert_allclose(prepared.X[:, 0], x * 1000)
    # without a file: digits after the comma not in threes mean a decimal comma
    frame = pd.DataFrame({"x": [f"{v:.4f}".replace(".", ",") for v in y], "v": y})
    pre = rio.Preprocessor().fit(frame)
    np.testing.assert_allclose(pre.transform(frame)[:, 0], y)
    assert pre.notes_ == ["column 'x': decimal commas read as numbers"]


def test_text_columns_with_a_value_per_row_are_one_hot_encoded_with_a_note():
    rng = np.random.default_rng(7)
    n = 300
    thou = rng.normal(size=n).round(4).astype(str).astype(object)
    words = rng.random(n) < 0.15                       # 85% numbers: not mostly numeric
    thou[words] = rng.choice(["low", "high"], words.sum())
    frame = pd.DataFrame({"thou": thou, "grade": rng.choice(list("abc"), n),
                          "code": [f"c{k % 30}" for k in range(n)], "v": rng.normal(size=n)})
    pre = rio.Preprocessor().fit(frame)
    levels = len(set(thou))
    assert len([f for f in pre.feature_names_ if f.startswith("thou=")]) == levels
    assert pre.notes_ == [f"column 'thou': {levels} distinct text values in {n} rows, "
                          f"one-hot encoded into {levels} columns; is it an identifier or a "
                          "number written as text? (--drop thou)"]
    frame["id"] = [f"u{k}" for k in range(n)]
    assert rio.Preprocessor().fit(frame).notes_ == [
        "2 text columns have a distinct value in most rows, one-hot encoded into a column per "
        "value; are they identifiers or numbers written as text? (--drop): thou "
        f"({levels} values), id ({n} values)"]


def test_every_date_column_is_named_also_with_tokens_12_hour_times_and_months():
    n = 40
    days = pd.date_range("2021-01-01", periods=n, freq="D")
    frame = pd.DataFrame({
        "iso": days.strftime("%Y-%m-%d"),
        "us": [f"{t:%I:%M} {'AM' if k % 2 else 'PM'}" for k, t in enumerate(
            pd.date_range("2021-01-01", periods=n, freq="37min"))],
        "month": days.strftime("%b %Y").to_numpy(dtype=object),
        "v": np.arange(n, dtype=float)})
    frame.loc[[3, 17], "iso"] = "unknown"                  # 5%: still a date column
    frame.loc[5, "iso"] = None
    with pytest.raises(ValueError, match=r"^columns 'iso', 'us', 'month' hold dates or "
                       r"times; convert them to numbers or leave them out \(--drop iso "
                       r"--drop us --drop month\)$"):
        rio.Preprocessor(impute="mean").fit(frame)
    with pytest.raises(ValueError, match=r"^column 'us' holds dates or times; convert it "
                       r"to numbers or leave it out \(--drop us\)$"):
        rio.Preprocessor().fit(frame[["us", "v"]])
    # 25% tokens: not a date column
    frame.loc[:9, "iso"] = "unknown"
    assert rio.Preprocessor().fit(frame[["iso", "v"]]).columns_[0]["kind"] == "categorical"


def test_saved_indexes_with_gaps_or_shuffled_are_dropped_and_shuffled_ids_flagged(tmp_path):
    rng = np.random.default_rng(8)
    n = 60
    frame = pd.DataFrame({"a": rng.normal(size=n), "id": rng.permutation(n) + 1,
                          "b": rng.normal(size=n)})
    frame["y"] = frame.a + rng.normal(size=n)
    kept = frame[frame.b > -0.5]                      # df[mask].to_csv: gaps in the index
    kept.to_csv(tmp_path / "gaps.csv")
    shuffled = frame.sample(frac=1.0, random_state=1)
    shuffled.to_csv(tmp_path / "shuffled.csv")
    prepared = rio.prepare_table(rio.read_table(tmp_path / "gaps.csv"), "y")
    assert prepared.feature_names == ["a", "id", "b"]
    assert prepared.notes == ["dropped column 'Unnamed: 0': it holds the row numbers (an "
                              "index saved with the data)"]
    prepared = rio.prepare_table(rio.read_table(tmp_path / "shuffled.csv"), "y")
    assert prepared.feature_names == ["a", "id", "b"]
    assert prepared.notes == [
        "dropped column 'Unnamed: 0': it holds the row numbers (an index saved with the "
        "data)",
        f"column 'id' holds the row numbers (1 to {n} in another order); if it is an "
        "identifier, leave it out (--drop id)"]
    # unnamed, but not unique integers: kept
    frame[""] = rng.integers(0, 5, n)
    assert "" in rio.prepare_table(frame, "y").feature_names


def test_two_level_columns_take_one_indicator_so_no_coefficient_is_rounding_noise():
    # Both indicators of a two-level column are exactly collinear beside the intercept;
    # a GLM path then left the second at 1e-15 and counted it as selected.
    rng = np.random.default_rng(11)
    n = 200
    age = rng.integers(20, 80, n).astype(float)
    smoker = rng.integers(0, 2, n)
    disease = rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.04 * age + 0.8 * smoker)))
    frame = pd.DataFrame({"age": age, "smoker": np.where(smoker == 1, "yes", "no"),
                          "disease": np.where(disease, "yes", "no")})
    pre = rio.Preprocessor().fit(frame[["age", "smoker"]])
    assert pre.feature_names_ == ["age", "smoker=yes"]
    X = pre.transform(frame[["age", "smoker"]])
    np.testing.assert_array_equal(X[:, 1], smoker)
    import regularized

    fitted = regularized.path(X, (frame["disease"] == "yes").to_numpy(), loss="logistic",
                              standardize=True)
    tiny = (fitted.coef != 0) & (np.abs(fitted.coef) < 1e-10)
    assert not tiny.any()


def test_model_files_from_before_one_indicator_columns_keep_two():
    pre = rio.Preprocessor().fit(raw_table())
    data = json.loads(json.dumps(pre.to_dict()))
    for spec in data["columns"]:
        spec.pop("one_column", None)          # a file written by an earlier version
    old = rio.Preprocessor.from_dict(data)
    assert old.feature_names_[-2:] == ["flag=False", "flag=True"]
    assert old.transform(raw_table()).shape[1] == 6


def test_default_grid_extends_past_a_minimum_at_its_end():
    """The table fit hands the estimator an explicit grid depth (1e-2 for classes); a CV
    minimum at its small end, still falling, extends it as the estimators' own default
    grids are (breast_cancer, l1: deviance 0.179 at the 1e-2 end, 0.152 inside)."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    frame = pd.DataFrame(data.data, columns=data.feature_names)
    frame["diagnosis"] = np.where(data.target == 1, "benign", "malignant")
    model = rio.fit_table(frame, "diagnosis")
    assert model.info["alpha"] < 1e-2 * 0.3837        # below the default grid's end
    assert not any("smallest alpha" in note for note in model.info["notes"])
    kept = rio.fit_table(frame, "diagnosis", alpha_min_ratio=1e-2)
    assert kept.info["alpha"] == pytest.approx(0.00383683, rel=1e-4)   # the user's grid
    assert any("(alpha_min_ratio, --alpha-min-ratio)" in note for note in kept.info["notes"])
    assert model.info["cv_score"] < kept.info["cv_score"] - 0.02


def test_predict_without_the_columns_the_model_does_not_use(tmp_path):
    """New data may leave out input columns whose coefficients are all 0 (a note says
    so); a column the model does use is still required."""
    import pandas as pd

    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame({"a": rng.standard_normal(n), "b": rng.standard_normal(n),
                          "noise": rng.standard_normal(n),
                          "city": rng.choice(["x", "y", "z"], n)})
    frame["y"] = 3.0 * frame["a"] - 2.0 * frame["b"] + 0.1 * rng.standard_normal(n)
    model = rio.fit_table(frame, "y", cv=3, n_alphas=20, selection="1se")
    unused = model.unused_columns()
    assert "a" not in unused and "b" not in unused and unused     # the lasso dropped some
    rio.save(model, tmp_path / "m.npz")
    loaded = rio.load(tmp_path / "m.npz")
    notes = []
    lean = loaded.predict_frame(frame.drop(columns=unused), notes=notes)
    full = loaded.predict_frame(frame.drop(columns="y"))
    np.testing.assert_allclose(lean["prediction"], full["prediction"], rtol=1e-12)
    assert any("not used by the model" in note for note in notes)
    with pytest.raises(ValueError, match="lacks column"):
        loaded.predict_frame(frame.drop(columns=["a"]))
