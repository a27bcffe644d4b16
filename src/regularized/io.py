"""Tables in, models out: CSV/Parquet reading, preprocessing, fitting a table, model files.

- :func:`read_table` reads CSV (also ``.csv.gz``, ``.tsv``) or Parquet with pandas/pyarrow.
- :class:`Preprocessor` turns a raw table into the numeric design the estimators take, and
  does it the same way at prediction time: numeric columns as they are, categorical (text,
  boolean, pandas category) columns one-hot encoded on the levels seen in training (an
  unseen level gives zeros in every column of its group, with a note), text columns of
  mostly numbers numeric (the stray tokens read as missing, with a note), constant columns
  dropped (with a note), missing values an error unless ``impute="mean"``/``"median"``
  (numeric columns; categorical ones take their most frequent level).
- :func:`fit_table` fits a cross-validated model on a table: the family follows from the
  target unless given (numbers → gaussian, two classes → binomial, more → multinomial).
- :class:`Model` is the fitted estimator with its preprocessing; :func:`save` writes it (or
  a bare fitted estimator) to one versioned file and :func:`load` reads it back.

Model files
-----------
A zip archive (numpy's ``.npz`` layout) holding ``regularized-model.json`` (UTF-8 JSON: the
format name ``"regularized-model"``, ``format_version``, the estimator's class and
parameters, its fitted scalars, the preprocessing, the family, classes and feature names)
and one ``.npy`` file per numeric array (``coef_``, ``intercept_``, …). Loading never
unpickles and never imports or calls anything named in the file: the estimator class must
be one of :mod:`regularized.estimators`, arrays must be numeric and are read with
``allow_pickle=False``. A SHA-256 of the metadata and every array, stored in the metadata,
detects a corrupt, truncated or edited file (it is a checksum, not a signature: whoever can
write the file can recompute it). A file from a newer format version is refused with a
message saying so. Every such problem is a ``ValueError`` with a one-line message.

pandas (and pyarrow for Parquet) are imported when first needed, as are the estimators, so
``import regularized.io`` stays light.
"""
import csv
import datetime as _dt
import gzip
import hashlib
import io as _io
import json
import math
import numbers
import os
import re
import shlex
import warnings
import zipfile

import numpy as np

__all__ = ["FAMILIES", "PENALTIES", "Model", "Preprocessor", "describe_family", "fit_table",
           "infer_family", "load", "path_frame", "prepare_table", "read_table", "save"]

FORMAT_NAME = "regularized-model"
FORMAT_VERSION = 1
METADATA_MEMBER = "regularized-model.json"
ARRAY_PREFIX = "arrays/"
# Guards against a hostile archive (zip bomb): more than this, uncompressed, is refused.
MAX_MODEL_BYTES = 2 * 2 ** 30
MAX_MEMBERS = 10_000

FAMILIES = ("gaussian", "binomial", "multinomial", "poisson")
PENALTIES = ("l1", "l2", "elasticnet")
IMPUTE = (None, "mean", "median")
# The delimiters a .csv or .txt file may use, told apart on its first SNIFF_RECORDS
# records (within SNIFF_CHARACTERS).
CSV_DELIMITERS = ",;\t|"
SNIFF_CHARACTERS = 16 * 1024
SNIFF_RECORDS = 20
# A categorical column with more levels than this is refused (an identifier or free text).
MAX_CATEGORIES = 1000
# A text column with more levels than MANY_LEVELS, and more than MANY_LEVELS_SHARE of its
# rows, is one-hot encoded with a note: likely an identifier or numbers written as text.
MANY_LEVELS = 20
MANY_LEVELS_SHARE = 0.5
# A text column whose non-missing values parse as numbers at least this often is numeric:
# the other values are stray tokens ('?', 'n/a', '-') standing for missing values.
MOSTLY_NUMERIC = 0.9
# What pandas.api.types.infer_dtype calls a column that may hold numbers written as text.
_NUMBER_LIKE = {"string", "mixed", "mixed-integer", "mixed-integer-float", "integer",
                "floating", "decimal"}
# Classification grids stop at alpha_max·1e-2 by default: below that, separable data
# sends coefficients to infinity and the path spends its time proving it.
CLASSIFICATION_ALPHA_MIN_RATIO = 1e-2

_LOSSES = {"gaussian": "squared", "binomial": "logistic", "multinomial": "multinomial",
           "poisson": "poisson"}
_SCORE_NAMES = {
    ("mse", None): "mean squared error", ("mae", None): "mean absolute error",
    ("r2", None): "1 − R²", ("deviance", "gaussian"): "mean squared error",
    ("deviance", "binomial"): "binomial deviance",
    ("deviance", "multinomial"): "multinomial deviance",
    ("deviance", "poisson"): "Poisson deviance",
    ("misclassification", None): "misclassification rate", ("auc", None): "1 − AUC",
}


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:                                    # pragma: no cover
        raise ImportError("reading tables needs pandas: pip install 'regularized[io]'") \
            from exc
    return pd


def describe_family(family, info):
    """``"binomial (inferred: …; --family chooses another)"``, ``"… (as asked)"`` or the
    caller's note, from a Model's ``info``."""
    source, reason = info.get("family_source"), info.get("family_reason")
    if source == "inferred" and reason:
        return f"{family} (inferred: {reason}; --family chooses another)"
    if source == "note" and reason:
        return f"{family} ({reason})"
    return f"{family} (as asked)"


def score_name(scoring, family=None):
    """A readable name for a CV scoring (``"mse"`` → ``"mean squared error"``)."""
    return _SCORE_NAMES.get((scoring, family)) or _SCORE_NAMES.get((scoring, None)) \
        or str(scoring)


# ---------------------------------------------------------------------------------------
# reading tables
# ---------------------------------------------------------------------------------------
def read_table(path):
    """A pandas DataFrame from a CSV (``.csv``, ``.csv.gz``, ``.txt``), TSV (``.tsv``) or
    Parquet (``.parquet``, ``.pq``) file.

    A CSV's delimiter is found from its first lines: one of ``, ; tab |``
    (:data:`CSV_DELIMITERS`), ``,`` when that cannot be told. Raises ``ValueError`` (one
    line) for an unknown extension, an unreadable or empty file, a row with more or fewer
    fields than the header, and ``FileNotFoundError`` for a missing one.
    """
    pd = _pandas()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if os.path.isdir(path):
        raise ValueError(f"{path} is a directory, not a data file")
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        kind = "parquet"
    elif lower.endswith((".csv", ".csv.gz", ".txt")):
        kind = "csv"
    elif lower.endswith((".tsv", ".tsv.gz")):
        kind = "tsv"
    else:
        raise ValueError(f"cannot tell the format of {path}: name it .csv, .tsv or .parquet")
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:                                # pragma: no cover
            raise ImportError("reading Parquet needs pyarrow: pip install 'regularized[io]'") \
                from exc
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            delimiter = "\t" if kind == "tsv" else _sniff_delimiter(path)
            try:
                frame = pd.read_csv(path, sep=delimiter)
            except UnicodeDecodeError:
                # not UTF-8: spreadsheets often save Windows-1252 (Latin-1 decodes any byte)
                frame = pd.read_csv(path, sep=delimiter, encoding="latin-1")
                frame.attrs["encoding"] = "latin-1"
    except Exception as exc:  # parser, Arrow and decoding errors have many types
        raise ValueError(f"could not read {path}: {_one_line(exc)}") from exc
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"{path} has no data rows")
    if kind != "parquet":
        _check_short_rows(path, frame, delimiter)
        frame.attrs["delimiter"] = delimiter    # tells decimal commas from thousands
    frame.columns = [str(c) for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise ValueError(f"{path} has duplicated column names: {', '.join(duplicated)}")
    return frame


def _open_text(path):
    """A delimited text file (gzipped or not) opened for the csv module."""
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _sniff_delimiter(path):
    """The delimiter of a CSV file: of :data:`CSV_DELIMITERS`, the one that splits the
    header into the most fields and most of the first records into as many (quotes
    respected; a row with a field too many or too few does not hide the delimiter, so
    read_table can name its line); ``,`` when none does.

    Not csv.Sniffer: it prefers ``,`` whenever that is as regular as another delimiter, as
    in a ``;`` file with decimal commas."""
    with _open_text(path) as fh:
        sample = fh.read(SNIFF_CHARACTERS)
    if len(sample) == SNIFF_CHARACTERS and "\n" in sample:
        sample = sample[:sample.rindex("\n")]             # whole lines only
    best, most = ",", 1
    for delimiter in CSV_DELIMITERS:
        reader = csv.reader(_io.StringIO(sample), delimiter=delimiter)
        try:
            records = [r for _, r in zip(range(SNIFF_RECORDS), reader) if r]
        except csv.Error:                                   # not this delimiter's quoting
            continue
        n_fields = len(records[0]) if records else 0
        if n_fields > most and 2 * sum(len(r) == n_fields for r in records) > len(records):
            best, most = delimiter, n_fields
    return best


def _check_short_rows(path, frame, delimiter):
    """Refuse a row with fewer fields than the header, naming its line: pandas would read
    the fields it lacks as missing values. Such a row leaves the last column empty, so only
    a table with missing values there is read again (with the csv module)."""
    if not frame.iloc[:, -1].isna().any():
        return
    with _open_text(path) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            n_fields = len(next(reader, []))
            for record in reader:
                if len(record) < n_fields and any(field.strip() for field in record):
                    raise ValueError(f"could not read {path}: expected {n_fields} fields "
                                     f"in line {reader.line_num}, saw {len(record)}")
        except csv.Error:       # a field the csv module will not take: pandas read it
            return


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def _row_list(mask, index=None, limit=5):
    """The rows where ``mask`` holds, as the user counts them: data rows from 1 (header not
    counted) for a default integer index, else the index labels."""
    mask = np.asarray(mask, dtype=bool)
    if index is None or not np.issubdtype(np.asarray(index).dtype, np.integer):
        labels = (np.flatnonzero(mask) + 1) if index is None else np.asarray(index)[mask]
    else:
        labels = np.asarray(index)[mask] + 1
    shown = ", ".join(str(r) for r in labels[:limit])
    return shown + (", …" if labels.size > limit else "")


# Per-column notes of one kind become one line when several columns share it (a table of
# words can have hundreds of constant columns): the line for one column, the line for
# several ({count} and the {names} list) and how the list names each column. Fields: the
# column's {name} and those its event gives.
_NOTE_FORMS = {
    "non-numeric": ("column {name!r}: {tokens} read as missing",
                    "read non-numeric values as missing in {count} mostly-numeric columns: "
                    "{names}", "{name} ({tokens})"),
    "formatted": ("column {name!r}: {how}",
                  "read {count} columns of numbers written with formats: {names}",
                  "{name} ({how})"),
    "many levels": ("column {name!r}: {levels} distinct text values in {rows} rows, one-hot "
                    "encoded into {levels} columns; is it an identifier or a number "
                    "written as text? (--drop {name})",
                    "{count} text columns have a distinct value in most rows, one-hot "
                    "encoded into a column per value; are they identifiers or numbers "
                    "written as text? (--drop): {names}", "{name} ({levels} values)"),
    "index": ("dropped column {name!r}: it holds the row numbers (an index saved with the "
              "data)", "dropped {count} columns holding the row numbers (indexes saved with "
              "the data): {names}", "{name}"),
    "row numbers": ("column {name!r} holds the row numbers ({numbers}); "
                    "if it is an identifier, leave it out (--drop {name})",
                    "{count} columns hold the row numbers; if they are identifiers, leave "
                    "them out (--drop): {names}", "{name}"),
    "constant": ("dropped column {name!r}: constant ({value})",
                 "dropped {count} constant columns: {names}", "{name}"),
    "all missing": ("dropped column {name!r}: all values missing",
                    "dropped {count} columns with every value missing: {names}", "{name}"),
    "imputed": ("column {name!r}: {missing} missing value(s) imputed with {fill}",
                "imputed the missing values of {count} columns: {names}",
                "{name} ({missing}, with {fill})"),
    "unseen levels": ("column {name!r}: {rows} row(s) with levels not seen in training "
                      "({levels}) get zeros in every {name}=… column",
                      "{count} columns have levels not seen in training (those rows get "
                      "zeros in the column's one-hot group): {names}",
                      "{name} ({rows} row(s): {levels})"),
}
# How many columns a grouped note names before "… (N in all)".
NOTE_NAMES_SHOWN = 8


def _grouped_notes(events):
    """The notes of ``(kind, column name, fields)`` events, one per kind in order of first
    appearance: the column's own line, or one line naming every column of that kind."""
    by_kind = {}
    for kind, name, fields in events:
        by_kind.setdefault(kind, []).append(dict(fields, name=name))
    notes = []
    for kind, items in by_kind.items():
        one, several, item = _NOTE_FORMS[kind]
        if len(items) == 1:
            notes.append(one.format(**items[0]))
            continue
        names = [item.format(**fields) for fields in items]
        shown = ", ".join(names[:NOTE_NAMES_SHOWN])
        if len(names) > NOTE_NAMES_SHOWN:
            shown += f", … ({len(names)} in all)"
        notes.append(several.format(count=len(items), names=shown))
    return notes


# ---------------------------------------------------------------------------------------
# preprocessing
# ---------------------------------------------------------------------------------------
class Preprocessor:
    """From a raw table to the numeric design matrix, the same way at fit and predict time.

    Fitted on the training table's feature columns, it records for each column its kind
    (``"numeric"`` or ``"categorical"``: text, boolean and pandas category columns), the
    levels of a categorical column (compared as strings), the value that fills its missing
    entries (with ``impute``) and whether it was dropped as constant. A text column whose
    values are mostly numbers (:data:`MOSTLY_NUMERIC`) is numeric, its stray non-numeric
    tokens ('?', 'n/a') read as missing values, at fit and at predict time.

    Parameters
    ----------
    impute : None (missing feature values are an error), "mean" or "median" (numeric
        columns; categorical columns take their most frequent level).

    Attributes (after ``fit``)
    --------------------------
    columns_ : list of dicts, one per input column: ``name``, ``kind``, ``dropped`` (None or
        the reason), ``fill`` (None or the imputed value), ``levels`` (categorical),
        ``text_as_missing`` (numeric: whether non-numeric tokens read as missing),
        ``formats`` (numeric: the :data:`NUMBER_FORMATS` its text was written with).
    feature_names_ : names of the design's columns: a numeric column's name, or
        ``"column=level"`` for a one-hot column.
    notes_ : what fitting did that the user should know (dropped columns, imputations).
    """

    def __init__(self, impute=None):
        self.impute = impute

    # -- fitting -----------------------------------------------------------------------
    def fit(self, frame, *, delimiter=None):
        """Fit on ``frame``; ``delimiter``, that of the CSV file it was read from (default:
        ``frame.attrs["delimiter"]``, which :func:`read_table` sets), tells a decimal comma
        (``;``) from a thousands separator (``,``) in numbers written as text."""
        self._delimiter = delimiter if delimiter is not None else \
            getattr(frame, "attrs", {}).get("delimiter")
        if self.impute not in IMPUTE:
            raise ValueError(f"impute must be None, 'mean' or 'median', got {self.impute!r}")
        if frame.shape[1] == 0:
            raise ValueError("there are no feature columns")
        events = []                 # (kind, column, fields) of each note, grouped below
        self.columns_ = [self._fit_column(frame[name], name, frame.index, events)
                         for name in frame.columns]
        dates = [name for kind, name, _ in events if kind == "dates"]
        if dates:
            raise ValueError(_dates_message(dates))
        self.notes_ = _grouped_notes(events)
        self.feature_names_ = self._feature_names()
        if not self.feature_names_:
            raise ValueError("no usable feature columns left (every column is constant or "
                             "empty)")
        return self

    def _fit_column(self, s, name, index, events):
        """The record of one column (see ``columns_``); its notes go to ``events``."""
        pd = _pandas()
        spec = {"name": str(name), "kind": None, "dropped": None, "fill": None,
                "levels": None, "text_as_missing": False, "formats": []}
        missing = s.isna().to_numpy()
        numbers = _as_numbers(s, getattr(self, "_delimiter", None))
        if numbers is None and _holds_dates(s):
            events.append(("dates", name, {}))   # refused by fit, with every such column
            spec["kind"] = "categorical"
            return spec
        if numbers is None:
            spec["kind"] = "categorical"
            self._fit_categorical(spec, name, s, missing, index, events)
            return spec
        spec["kind"] = "numeric"
        values, stray, spec["formats"] = numbers
        if spec["formats"]:
            events.append(("formatted", name, {"how": _formats_note(spec["formats"])}))
        stray_note = None
        if stray.any():
            spec["text_as_missing"] = True
            tokens = _non_numeric_summary(s, stray)
            stray_note = f"{tokens} read as missing"
            events.append(("non-numeric", name, {"tokens": tokens}))
            missing = missing | stray
        if np.isinf(values).any():
            raise ValueError(f"column {name!r} has infinite values (rows "
                             f"{_row_list(np.isinf(values), index)})")
        order = _are_row_numbers(values, index) if pd.api.types.is_integer_dtype(s) \
            else None
        if pd.api.types.is_integer_dtype(s) and _UNNAMED_COLUMN.fullmatch(
                spec["name"].strip()) and (order or _unique(values)):
            # an index saved with the data, also with gaps (rows left out) or shuffled
            spec["dropped"] = "the row numbers (an index saved with the data)"
            events.append(("index", name, {}))
            return spec
        if order == "in order":
            events.append(("row numbers", name, {
                "numbers": f"{values[0]:g}, {values[1]:g}, …, {values[-1]:g}"}))
        elif order:
            events.append(("row numbers", name, {
                "numbers": f"{values.min():g} to {values.max():g} in another order"}))
        present = values[~missing]
        n_missing = int(missing.sum())
        if present.size == 0:
            spec["dropped"] = "all values missing"
            events.append(("all missing", name, {}))
        elif np.all(present == present[0]):
            spec["dropped"] = f"constant ({present[0]:g})"
            events.append(("constant", name, {"value": f"{present[0]:g}"}))
        else:
            if n_missing:
                self._check_impute(name, missing, index, stray_note)
            if self.impute is not None:             # also fills missing values met later
                fill = float(np.mean(present) if self.impute == "mean"
                             else np.median(present))
                spec["fill"] = fill
                if n_missing:
                    events.append(("imputed", name, {"missing": n_missing,
                                                     "fill": f"the {self.impute} {fill:g}"}))
        return spec

    def _fit_categorical(self, spec, name, s, missing, index, events):
        pd = _pandas()
        text = _as_text(s, missing)
        levels = sorted(set(text[~missing]))
        n_missing = int(missing.sum())
        if len(levels) == 0:
            spec["dropped"] = "all values missing"
            events.append(("all missing", name, {}))
        elif len(levels) == 1:
            spec["dropped"] = f"constant ({levels[0]!r})"
            events.append(("constant", name, {"value": repr(levels[0])}))
        elif len(levels) > MAX_CATEGORIES:
            raise ValueError(f"column {name!r} has {len(levels)} distinct text values "
                             "(an identifier or free text?); leave it out (--drop)")
        else:
            spec["levels"] = levels
            # Two levels take one indicator (of the second): both, beside the intercept,
            # are exactly collinear, and the second's coefficient is then rounding noise.
            spec["one_column"] = len(levels) == 2
            if len(levels) > MANY_LEVELS and len(levels) > MANY_LEVELS_SHARE * len(s):
                events.append(("many levels", name, {"levels": len(levels), "rows": len(s)}))
            if n_missing:
                self._check_impute(name, missing, index)
            if self.impute is not None:
                counts = pd.Series(text[~missing]).value_counts()
                top = counts[counts == counts.max()].index
                fill = sorted(top)[0]
                spec["fill"] = fill
                if n_missing:
                    events.append(("imputed", name, {
                        "missing": n_missing, "fill": f"its most frequent level {fill!r}"}))

    def _check_impute(self, name, missing, index, stray_note=None):
        """Missing values are an error without imputation; ``stray_note`` says which of
        them were non-numeric tokens."""
        if self.impute is None:
            why = f"; {stray_note}" if stray_note else ""
            raise ValueError(
                f"column {name!r} has {int(missing.sum())} missing value(s) (rows "
                f"{_row_list(missing, index)}{why}); fill or drop them, or impute them with "
                "--impute mean|median (impute='mean'|'median' in Python)")

    def _column_features(self):
        """``[(input column, [its design features' names])]`` in design order."""
        out = []
        for spec in self.columns_:
            if spec["dropped"]:
                continue
            if spec["kind"] == "numeric":
                out.append((spec["name"], [spec["name"]]))
            else:
                levels = spec["levels"][1:] if spec.get("one_column") else spec["levels"]
                out.append((spec["name"], [f"{spec['name']}={level}" for level in levels]))
        return out

    def _feature_names(self):
        return [name for _, names in self._column_features() for name in names]

    def column_widths(self):
        """``[(input column, number of design features it gives)]`` in design order."""
        return [(column, len(names)) for column, names in self._column_features()]

    # -- transforming ------------------------------------------------------------------
    @property
    def input_columns(self):
        """The input columns the transform reads (dropped ones excluded)."""
        return [c["name"] for c in self.columns_ if not c["dropped"]]

    def transform(self, frame, *, notes=None, unused=()):
        """The (n, n_features) float64 design of ``frame``.

        ``frame`` must have every input column that was not dropped (others are ignored),
        except those named in ``unused`` (columns the model gives no weight): an absent
        one is filled with zeros, with a note. ``notes``, a list, collects the notes on
        columns with levels unseen in training and on non-numeric values read as missing
        (in columns where training did so too).
        """
        _check_fitted(self)
        pd = _pandas()
        absent = [c for c in self.input_columns if c not in frame.columns]
        skipped = [c for c in absent if c in unused]
        absent = [c for c in absent if c not in unused]
        if skipped and notes is not None:
            notes.append(f"column(s) {', '.join(repr(c) for c in skipped)} absent: not used "
                         "by the model (every coefficient on them is 0), so not needed")
        if absent:
            raise ValueError("the data lacks column(s) the model needs: "
                             + ", ".join(repr(c) for c in absent))
        n = frame.shape[0]
        blocks = []
        events = []
        widths = dict(self.column_widths())
        for spec in self.columns_:
            if spec["dropped"]:
                continue
            name = spec["name"]
            if name in skipped:
                blocks.append(np.zeros((n, widths[name])))
                continue
            s = frame[name]
            missing = s.isna().to_numpy()
            if spec["kind"] == "numeric":
                if pd.api.types.is_bool_dtype(s):
                    values = s.to_numpy(dtype=np.float64)
                else:
                    converted = pd.to_numeric(s, errors="coerce")
                    values = converted.to_numpy(dtype=np.float64, na_value=np.nan)
                    bad = np.isnan(values) & ~missing
                    if bad.any() and spec.get("formats"):       # as read in training
                        values = np.array(values)               # writable
                        _formatted_numbers(s, bad, values, formats=spec["formats"])
                        bad = np.isnan(values) & ~missing
                    if bad.any() and spec.get("text_as_missing"):
                        events.append(("non-numeric", name,
                                       {"tokens": _non_numeric_summary(s, bad)}))
                        missing = missing | bad
                    elif bad.any():
                        first = s[bad].iloc[0]
                        raise ValueError(f"column {name!r} must be numeric, but rows "
                                         f"{_row_list(bad, frame.index)} hold text such as "
                                         f"{first!r}")
                if np.isinf(values).any():
                    raise ValueError(f"column {name!r} has infinite values (rows "
                                     f"{_row_list(np.isinf(values), frame.index)})")
                if missing.any():
                    if spec["fill"] is None:
                        raise ValueError(
                            f"column {name!r} has {int(missing.sum())} missing value(s) "
                            f"(rows {_row_list(missing, frame.index)}) and the model was "
                            "fitted without imputation; fill or drop them")
                    values = np.where(missing, spec["fill"], values)
                blocks.append(values[:, None])
            else:
                text = _as_text(s, pd.Series(missing))
                if missing.any():
                    if spec["fill"] is None:
                        raise ValueError(
                            f"column {name!r} has {int(missing.sum())} missing value(s) "
                            f"(rows {_row_list(missing, frame.index)}) and the model was "
                            "fitted without imputation; fill or drop them")
                    text = np.where(missing, spec["fill"], text)
                levels = spec["levels"]
                lookup = {level: k for k, level in enumerate(levels)}
                codes = np.array([lookup.get(v, -1) for v in text], dtype=np.int64)
                onehot = np.zeros((n, len(levels)))
                seen = codes >= 0
                onehot[np.flatnonzero(seen), codes[seen]] = 1.0
                if not seen.all():
                    unseen = sorted(set(text[~seen]))
                    shown = ", ".join(repr(u) for u in unseen[:5]) + (
                        ", …" if len(unseen) > 5 else "")
                    events.append(("unseen levels", name,
                                   {"rows": int((~seen).sum()), "levels": shown}))
                blocks.append(onehot[:, 1:] if spec.get("one_column") else onehot)
        if notes is not None:
            notes.extend(_grouped_notes(events))
        return np.hstack(blocks) if blocks else np.empty((n, 0))

    def fit_transform(self, frame):
        return self.fit(frame).transform(frame)

    # -- model files -------------------------------------------------------------------
    def to_dict(self):
        _check_fitted(self)
        return {"impute": self.impute, "columns": self.columns_, "notes": self.notes_}

    @classmethod
    def from_dict(cls, data):
        try:
            pre = cls(impute=data["impute"])
            if pre.impute not in IMPUTE:
                raise ValueError(f"unknown impute {pre.impute!r}")
            columns = []
            for c in data["columns"]:
                spec = {"name": str(c["name"]), "kind": c["kind"], "dropped": c["dropped"],
                        "fill": c["fill"], "levels": c["levels"],
                        "text_as_missing": bool(c.get("text_as_missing", False)),
                        "formats": list(c.get("formats") or []),
                        # absent from files written before two-level columns took one
                        "one_column": bool(c.get("one_column", False))}
                if not set(spec["formats"]) <= set(NUMBER_FORMATS):
                    raise ValueError(f"unknown number formats {spec['formats']!r}")
                if spec["kind"] not in ("numeric", "categorical"):
                    raise ValueError(f"unknown column kind {spec['kind']!r}")
                if spec["kind"] == "categorical" and not spec["dropped"]:
                    if not isinstance(spec["levels"], list) or not all(
                            isinstance(v, str) for v in spec["levels"]):
                        raise ValueError("bad levels")
                    spec["levels"] = list(spec["levels"])
                if spec["fill"] is not None and not isinstance(spec["fill"], (str, float, int)):
                    raise ValueError("bad fill value")
                columns.append(spec)
            pre.columns_ = columns
            pre.notes_ = [str(n) for n in data.get("notes", [])]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"bad preprocessing record: {_one_line(exc)}") from exc
        pre.feature_names_ = pre._feature_names()
        return pre

    def __repr__(self):
        if not hasattr(self, "columns_"):
            return f"Preprocessor(impute={self.impute!r})"
        return (f"Preprocessor(impute={self.impute!r}, columns={len(self.columns_)}, "
                f"features={len(self.feature_names_)})")


def _dates_message(names):
    """The error for the columns ``names`` that hold dates or times."""
    drops = " ".join(f"--drop {shlex.quote(str(name))}" for name in names)
    if len(names) == 1:
        return (f"column {names[0]!r} holds dates or times; convert it to numbers or leave "
                f"it out ({drops})")
    return (f"columns {', '.join(repr(name) for name in names)} hold dates or times; "
            f"convert them to numbers or leave them out ({drops})")


def _check_fitted(pre):
    if not hasattr(pre, "columns_"):
        raise ValueError("this Preprocessor is not fitted yet; call fit first")


def _as_text(s, missing):
    """Non-missing values as strings, so that 1, 1.0 and "1" match; missing ones as ""."""
    values = s.to_numpy(dtype=object)
    miss = np.asarray(missing)
    return np.array(["" if m else _text(v) for v, m in zip(values, miss)], dtype=object)


def _text(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    return str(value)


# The names pandas gives a header cell left empty ("Unnamed: 0" for the index that
# DataFrame.to_csv writes by default), or an empty name.
_UNNAMED_COLUMN = re.compile(r"(Unnamed: \d+(_level_\d+)?)?")


def _are_row_numbers(values, index):
    """``"in order"`` when ``values`` count the rows: the row labels of an integer
    ``index`` (what is left of 0…n−1 after rows were dropped), or the positions 0…n−1,
    from 0 or from 1; ``"shuffled"`` when they are those numbers in another order; else
    None."""
    if values.size < 2:
        return None
    index = np.asarray(index)
    rows = index if np.issubdtype(index.dtype, np.integer) else np.arange(values.size)
    if np.array_equal(values, rows) or np.array_equal(values, rows + 1):
        return "in order"
    ordered = np.sort(values)
    positions = np.arange(values.size)
    if any(np.array_equal(ordered, np.sort(r)) for r in (rows, rows + 1, positions,
                                                         positions + 1)):
        return "shuffled"
    return None


def _unique(values):
    """Whether ``values`` (no missing ones) are distinct."""
    return values.size >= 2 and not np.isnan(values).any() \
        and np.unique(values).size == values.size


def _is_number_dtype(s):
    pd = _pandas()
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _as_numbers(s, delimiter=None, formats=None):
    """``(values, stray, formats)`` when the column ``s`` holds numbers, else None (text).

    A numeric column holds numbers (a boolean or category one does not); a text column does
    when at least ``MOSTLY_NUMERIC`` of its non-missing values parse as numbers
    (``pd.to_numeric``), also when written with a format of :data:`NUMBER_FORMATS` (see
    :func:`_formatted_numbers`; ``delimiter``, the file's, tells a decimal comma from a
    thousands separator). ``values`` are float64, NaN where a value is missing or is one of
    the other, stray tokens; ``stray`` marks those tokens; ``formats`` lists the formats
    met. ``formats`` (the argument) limits the formats read (None: all).
    """
    pd = _pandas()
    if _is_number_dtype(s):
        return (s.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(s), dtype=bool),
                [])
    if pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype) \
            or pd.api.types.infer_dtype(s, skipna=True) not in _NUMBER_LIKE:
        return None
    present = s.notna().to_numpy()
    try:
        values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64,
                                                              na_value=np.nan)
    except (TypeError, ValueError):         # values that are neither numbers nor text
        return None
    stray = present & np.isnan(values)
    met = []
    if stray.any() and formats != []:
        values = np.array(values)                       # writable
        met = _formatted_numbers(s, stray, values, delimiter, formats)
        stray = present & np.isnan(values)
    n_present = int(present.sum())
    if n_present == 0 or n_present - int(stray.sum()) < MOSTLY_NUMERIC * n_present:
        return None
    return values, stray, met


# Numbers written with a format pd.to_numeric does not read, and how a note names each.
NUMBER_FORMATS = {"percent": "percent signs dropped",
                  "parentheses": "(x) read as -x",
                  "thousands": "thousands separators removed",
                  "decimal comma": "decimal commas read as decimal points"}
_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_DECIMAL_COMMA = r"-?\d+,\d+"


def _formatted_numbers(s, stray, values, delimiter=None, formats=None):
    """Read the ``stray`` values of ``s`` written as formatted numbers into ``values`` (in
    place) and return the formats met (of :data:`NUMBER_FORMATS`, limited to ``formats``
    unless None): ``12%`` → 12 (the value as written), ``(367)`` → −367 (accounting),
    ``2,219`` → 2219 (commas between groups of three digits) or ``1,0704`` → 1.0704 (a
    decimal comma). A comma is a decimal comma when every value with a comma is digits,
    one comma, digits, and the file's ``delimiter`` is ``;`` (where decimal commas are the
    custom), or, the delimiter unknown (not ``,``), some value's digits after the comma are
    not a group of three."""
    pd = _pandas()
    allowed = set(NUMBER_FORMATS if formats is None else formats)
    rows = np.flatnonzero(stray)
    text = pd.Series(s.to_numpy(dtype=object)[rows], dtype=object)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    text = text.where(is_text, "").astype(str).str.strip()
    masks = {}
    if "parentheses" in allowed:
        masks["parentheses"] = text.str.fullmatch(r"\(\s*[^()\-]+\s*\)").to_numpy(dtype=bool)
        text = text.where(~masks["parentheses"], text.str[1:-1].str.strip())
    if "percent" in allowed:
        masks["percent"] = text.str.fullmatch(r"[^%]+%").to_numpy(dtype=bool)
        text = text.where(~masks["percent"], text.str[:-1].str.strip())
    with_comma = text[text.str.contains(",", regex=False)]
    if not with_comma.empty:
        if formats is not None:                 # as in training
            decimal = "decimal comma" in allowed
        else:
            decimal = bool(with_comma.str.fullmatch(_DECIMAL_COMMA).all()) and (
                delimiter == ";" or delimiter != "," and not bool(
                    with_comma.str.fullmatch(_THOUSANDS).all()))
        kind, pattern = (("decimal comma", _DECIMAL_COMMA) if decimal
                         else ("thousands", _THOUSANDS))
        if kind in allowed:
            masks[kind] = text.str.fullmatch(pattern).to_numpy(dtype=bool)
            text = text.where(~masks[kind], text.str.replace(
                ",", "." if decimal else "", regex=False))
    if not masks:
        return []
    parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64,
                                                           na_value=np.nan)
    if "parentheses" in masks:
        parsed = np.where(masks["parentheses"], -parsed, parsed)
    read = is_text & ~np.isnan(parsed) & np.any(list(masks.values()), axis=0)
    values[rows[read]] = parsed[read]
    return [kind for kind in NUMBER_FORMATS if kind in masks and (masks[kind] & read).any()]


def _formats_note(formats):
    """How a column of formatted numbers was read: ``"decimal commas read as numbers"`` or
    ``"read as numbers (percent signs dropped, …)"``."""
    if formats == ["decimal comma"]:
        return "decimal commas read as numbers"
    return "read as numbers (" + ", ".join(NUMBER_FORMATS[f] for f in formats) + ")"


# What pandas.api.types.infer_dtype calls a column of date or time objects.
_DATE_LIKE = {"datetime64", "datetime", "date", "time", "timedelta64", "timedelta", "period"}
# Formats that pandas' guess does not recognise: times of day, two-digit years.
# 12-hour times and month-year ("Mar 2021").
_UNGUESSED_DATE_FORMATS = ("%H:%M", "%H:%M:%S", "%m/%d/%y", "%d/%m/%y", "%d.%m.%y",
                           "%m/%d/%y %H:%M", "%d/%m/%y %H:%M", "%I:%M %p", "%I:%M:%S %p",
                           "%I:%M%p", "%m/%d/%Y %I:%M %p", "%d/%m/%Y %I:%M %p",
                           "%Y-%m-%d %I:%M %p", "%m/%d/%y %I:%M %p", "%b %Y", "%B %Y",
                           "%b-%Y", "%b %y", "%b-%y")
# How many distinct values guess the formats of a text column, and how many first try each.
DATE_GUESSES = 10
DATE_SAMPLE = 50


def _holds_dates(s):
    """Whether the column ``s`` holds dates or times: a datetime column, date or time
    objects (Parquet's date32), or text of which at least :data:`MOSTLY_NUMERIC` of the
    non-missing values are dates or times in one format (``2021-03-23``, ``23/03/2021
    10:00``, ``10:30``, ``06:04 AM``, ``Mar 2021``…; the others are tokens such as
    'unknown'). Text formats must give a year and a month, or an hour and minutes, so
    that "May" or "Q1" stay categories."""
    pd = _pandas()
    if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
        return True
    if pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype) \
            or pd.api.types.is_numeric_dtype(s):
        return False
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in _DATE_LIKE:
        return True
    if kind != "string":
        return False
    counts = pd.Series(s.dropna().to_numpy(dtype=object), dtype=object).map(
        lambda v: str(v).strip()).value_counts(sort=False)
    if counts.empty:
        return False
    values = pd.Series(counts.index.to_numpy(dtype=object), dtype=object)
    weights = counts.to_numpy()
    needed = MOSTLY_NUMERIC * weights.sum()
    sample = values.iloc[:DATE_SAMPLE]
    with warnings.catch_warnings():             # pandas' warnings on guessed formats
        warnings.simplefilter("ignore")
        guessed = set()
        for text in values.iloc[:DATE_GUESSES]:
            guessed |= {_guess_datetime_format(text), _guess_datetime_format(text,
                                                                             dayfirst=True)}
        formats = [f for f in guessed if f and (
            ("%Y" in f or "%y" in f) and ("%m" in f or "%b" in f or "%B" in f)
            or ("%H" in f or "%I" in f) and "%M" in f)]
        if any(f.startswith("%Y-%m-%d") for f in formats):
            formats.append("ISO8601")           # dates with and without a time of day
        for fmt in formats + [f for f in _UNGUESSED_DATE_FORMATS if f not in formats]:
            if pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean() < 0.5:
                continue                        # a quick look first
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            if weights[parsed.notna().to_numpy()].sum() >= needed:
                return True
    return False


def _guess_datetime_format(text, dayfirst=False):
    try:
        from pandas.tseries.api import guess_datetime_format
    except ImportError:                                           # pragma: no cover
        from pandas._libs.tslibs.parsing import guess_datetime_format   # pandas < 2.2
    return guess_datetime_format(text, dayfirst=dayfirst)


def _non_numeric_summary(s, stray, limit=3):
    """``"2 non-numeric values ('?', 'n/a')"``: how many of ``s`` ``stray`` marks, and up
    to ``limit`` of the distinct ones."""
    tokens = list(dict.fromkeys(str(v) for v in s.to_numpy(dtype=object)[stray]))
    shown = ", ".join(repr(t) for t in tokens[:limit]) + (", …" if len(tokens) > limit
                                                          else "")
    count = int(np.count_nonzero(stray))
    return f"{count} non-numeric value{'' if count == 1 else 's'} ({shown})"


# ---------------------------------------------------------------------------------------
# family and target
# ---------------------------------------------------------------------------------------
def infer_family(y):
    """(family, reason) for a target Series: numbers → gaussian, two classes → binomial,
    more → multinomial.

    A numeric target with exactly two distinct values counts as two classes. Poisson is
    never inferred (counts are numbers too): ask for it.
    """
    pd = _pandas()
    y = pd.Series(y).dropna()
    n_distinct = int(y.nunique())
    if n_distinct < 2:
        raise ValueError(f"the target has {n_distinct} distinct value(s); nothing to learn")
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if n_distinct == 2:
        levels = ", ".join(repr(v) for v in sorted(y.unique().tolist(), key=str))
        return "binomial", f"the target has two classes ({levels})"
    if numeric:
        return "gaussian", "the target is numeric"
    return "multinomial", f"the target has {n_distinct} classes"


def _target_array(y, family, target):
    pd = _pandas()
    if family in ("gaussian", "poisson"):
        if not _is_number_dtype(y):
            if pd.api.types.is_bool_dtype(y):
                holds = "true/false values"
            else:
                stray = (y.notna() & pd.to_numeric(y, errors="coerce").isna()).to_numpy()
                holds = _non_numeric_summary(y, stray)
            raise ValueError(f"family {family!r} needs a numeric target; {target!r} holds "
                             f"{holds}")
        values = y.to_numpy(dtype=np.float64)
        if np.isinf(values).any():
            raise ValueError(f"the target {target!r} has infinite values")
        if family == "poisson" and (values < 0).any():
            raise ValueError(f"family 'poisson' needs counts ≥ 0; {target!r} has negative "
                             "values")
        return values
    n_classes = int(y.nunique())
    if family == "binomial" and n_classes != 2:
        # Many distinct numbers are a continuous target, not classes to model.
        continuous = (n_classes > 2 and pd.api.types.is_float_dtype(y)
                      and not np.all(np.mod(y.dropna().to_numpy(), 1) == 0))
        hint = ("it looks continuous: use --family gaussian" if continuous
                else "use --family multinomial")
        raise ValueError(f"family 'binomial' needs a target with two classes; {target!r} "
                         f"has {n_classes} ({hint})")
    if n_classes < 2:
        raise ValueError(f"the target {target!r} has a single class")
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        values = y.to_numpy()
        if np.all(values == np.round(values)):
            return values.astype(np.int64)
        return values
    return np.array([str(v) for v in y.to_numpy(dtype=object)], dtype=object)


class Prepared:
    """The pieces :func:`prepare_table` returns: ``X`` (float64 array), ``y``,
    ``preprocessor``, ``family``, ``family_reason`` (None when the family was given),
    ``notes``, ``target``; ``design`` is ``X`` as the estimators take it."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def design(self):
        """``X`` for fitting: a scipy CSC matrix when it is mostly zeros
        (``path.sparse_if_mostly_zero``), else ``X`` itself. ``X`` stays dense for code
        that wants it dense (the report's diagnostics)."""
        from .path import sparse_if_mostly_zero

        return sparse_if_mostly_zero(self.X)

    @property
    def feature_names(self):
        return self.preprocessor.feature_names_


def prepare_table(frame, target, *, family=None, impute=None, drop=()):
    """Split a raw table into the design ``X`` and target ``y``, fitting the preprocessing.

    Rows with a missing target are dropped (with a note); a target of text that is mostly
    numbers (see :data:`MOSTLY_NUMERIC`) is read as numbers, its other values as missing. The
    family is inferred from the target when not given; ``drop`` names columns to leave out.
    """
    if target is None:
        raise ValueError("name the target column (--target COL)")
    if target not in frame.columns:
        shown = ", ".join(list(frame.columns)[:20]) + (", …" if frame.shape[1] > 20 else "")
        delimiters = [d for d in ";\t|" if any(d in str(c) for c in frame.columns)]
        hint = (f" (the file may use another delimiter: {', '.join(map(repr, delimiters))} "
                "in the column names)" if delimiters else "")
        raise ValueError(f"no column {target!r} in the data; its columns are: {shown}{hint}")
    drop = [d for d in (drop or ()) if d]
    unknown = [d for d in drop if d not in frame.columns]
    if unknown:
        raise ValueError("cannot drop unknown column(s): " + ", ".join(map(repr, unknown)))
    if target in drop:
        raise ValueError(f"the target {target!r} cannot be dropped")
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    notes = []
    delimiter = getattr(frame, "attrs", {}).get("delimiter")
    numbers = None if _is_number_dtype(frame[target]) else _as_numbers(frame[target],
                                                                       delimiter)
    if numbers is not None:                 # a target of numbers written as text
        values, stray, formats = numbers
        if formats:
            notes.append(f"target {target!r}: {_formats_note(formats)}")
        if stray.any():
            notes.append(f"target {target!r}: {_non_numeric_summary(frame[target], stray)} "
                         "read as missing")
        frame = frame.copy(deep=False)      # the caller's frame keeps its column
        frame[target] = values
    missing = frame[target].isna().to_numpy()
    if missing.all():
        raise ValueError(f"every value of the target {target!r} is missing")
    if missing.any():
        notes.append(f"dropped {int(missing.sum())} row(s) with a missing target {target!r} "
                     f"(rows {_row_list(missing, frame.index)})")
        frame = frame.loc[~missing]
    y_series = frame[target]
    reason = None
    if family is None:
        family, reason = infer_family(y_series)
    y = _target_array(y_series, family, target)
    features = frame.drop(columns=[target, *drop])
    if features.shape[1] == 0:
        raise ValueError("there are no feature columns besides the target")
    pre = Preprocessor(impute=impute).fit(features, delimiter=delimiter)
    notes.extend(pre.notes_)
    X = pre.transform(features)
    if X.shape[0] < 3:
        raise ValueError(f"only {X.shape[0]} usable row(s); need at least 3")
    return Prepared(X=X, y=y, preprocessor=pre, family=family, family_reason=reason,
                    notes=notes, target=target)


def _column_std(X):
    """The standard deviation of each column of a dense or scipy sparse ``X`` (ddof 0)."""
    if not hasattr(X, "tocsc"):
        return X.std(axis=0)
    mean = np.asarray(X.mean(axis=0)).ravel()
    mean_square = np.asarray(X.multiply(X).mean(axis=0)).ravel()
    return np.sqrt(np.maximum(mean_square - mean ** 2, 0.0))


# ---------------------------------------------------------------------------------------
# the fitted model: estimator + preprocessing
# ---------------------------------------------------------------------------------------
class Model:
    """A fitted estimator together with the preprocessing of its raw table.

    ``predict(frame)`` preprocesses a raw table (pandas DataFrame with the training
    columns) exactly as in training, then predicts. :func:`save` writes it to one file and
    :func:`load` reads it back; ``regularized predict`` uses the same code.

    Attributes
    ----------
    estimator : the fitted estimator (``LassoCV``, ``LogisticRegressionCV``, …).
    preprocessor : the fitted :class:`Preprocessor`.
    family : "gaussian", "binomial", "multinomial" or "poisson".
    target : the target column's name.
    info : dict: penalty, l1_ratio, selection, alpha (the chosen alpha on the path scale of
        DESIGN §1), alpha_min, alpha_1se, cv_score, cv_se, scoring, score_name, n_folds,
        n_samples, n_features, n_nonzero, standardize, family_source ("inferred", "given" or
        "note"), family_reason, notes.
    feature_scale : (n_features,) standard deviations of the design's columns in the
        training data (to read coefficients per standard deviation).
    """

    def __init__(self, estimator, preprocessor, *, family, target=None, info=None,
                 feature_scale=None):
        self.estimator = estimator
        self.preprocessor = preprocessor
        self.family = family
        self.target = target
        self.info = dict(info or {})
        self.feature_scale = None if feature_scale is None else np.asarray(feature_scale,
                                                                           dtype=np.float64)

    @property
    def feature_names(self):
        return list(self.preprocessor.feature_names_)

    @property
    def coef_(self):
        return self.estimator.coef_

    @property
    def intercept_(self):
        return self.estimator.intercept_

    @property
    def classes_(self):
        return getattr(self.estimator, "classes_", None)

    @property
    def coef_matrix(self):
        """Coefficients as (n_outputs, n_features): one row, or one per class
        (multinomial)."""
        return np.atleast_2d(np.asarray(self.estimator.coef_, dtype=np.float64))

    def selected_features(self, *, order="strength"):
        """Names of the features with a non-zero coefficient (in any class), the strongest
        first (largest |coefficient × feature s.d.|; ``order="columns"``: design order)."""
        coef = self.coef_matrix
        nonzero = np.flatnonzero(np.any(coef != 0, axis=0))
        if order == "strength":
            scale = self.feature_scale if self.feature_scale is not None else 1.0
            strength = np.abs(coef * scale).max(axis=0)[nonzero]
            nonzero = nonzero[np.argsort(-strength, kind="stable")]
        names = self.feature_names
        return [names[j] for j in nonzero]

    def unused_columns(self):
        """The input columns all of whose design features have coefficient 0 (every
        class): new data may leave them out."""
        used = np.any(self.coef_matrix != 0, axis=0)
        out, start = [], 0
        for name, width in self.preprocessor.column_widths():
            if not used[start:start + width].any():
                out.append(name)
            start += width
        return out

    def transform(self, frame, *, notes=None):
        """The design matrix of a raw table (see :meth:`Preprocessor.transform`); input
        columns the model gives no weight may be absent."""
        return self.preprocessor.transform(frame, notes=notes, unused=self.unused_columns())

    def predict(self, frame):
        """Predictions for a raw table: the mean (gaussian, Poisson) or the class."""
        return self.estimator.predict(self.transform(frame))

    def predict_proba(self, frame):
        """Class probabilities (binomial, multinomial), columns in ``classes_`` order."""
        if self.classes_ is None:
            raise ValueError(f"a {self.family} model has no class probabilities")
        return self.estimator.predict_proba(self.transform(frame))

    def predict_frame(self, frame, *, notes=None):
        """A DataFrame of predictions for a raw table: ``prediction`` and, for classifiers,
        ``probability_<class>`` per class (what ``regularized predict`` writes)."""
        pd = _pandas()
        X = self.transform(frame, notes=notes)
        out = pd.DataFrame(index=frame.index)
        out["prediction"] = self.estimator.predict(X)
        if self.classes_ is not None:
            proba = self.estimator.predict_proba(X)
            for k, cls in enumerate(self.classes_):
                out[f"probability_{cls}"] = proba[:, k]
        return out.reset_index(drop=True)

    def __repr__(self):
        return (f"Model({type(self.estimator).__name__}, family={self.family!r}, "
                f"target={self.target!r}, features={len(self.feature_names)})")


def _build_estimator(family, l1_ratio, *, cv, selection, standardize, n_alphas,
                     alpha_min_ratio, random_state, tol, max_iter):
    from .estimators import (ElasticNetCV, LassoCV, LogisticRegressionCV,
                             PoissonRegressorCV, RidgeCV)

    common = dict(cv=cv, selection=selection, standardize=standardize,
                  random_state=random_state)
    if tol is not None:
        common["tol"] = tol
    if family == "gaussian" and l1_ratio == 0.0:
        return RidgeCV(scoring="mse", **common)            # closed form; alphas from the data
    if max_iter is not None:
        common["max_iter"] = max_iter
    if family == "gaussian":
        if l1_ratio == 1.0:
            return LassoCV(alphas=n_alphas, eps=alpha_min_ratio, **common)
        return ElasticNetCV(l1_ratio=l1_ratio, alphas=n_alphas, eps=alpha_min_ratio,
                            **common)
    if family in ("binomial", "multinomial"):
        return LogisticRegressionCV(Cs=n_alphas, l1_ratios=l1_ratio, eps=alpha_min_ratio,
                                    **common)
    return PoissonRegressorCV(l1_ratio=l1_ratio, alphas=n_alphas, eps=alpha_min_ratio,
                              **common)


def penalty_l1_ratio(penalty, l1_ratio=None):
    """The l1_ratio of a penalty name: l1 → 1, l2 → 0, elasticnet → ``l1_ratio`` (0.5)."""
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {', '.join(PENALTIES)}; got {penalty!r}")
    if penalty == "elasticnet":
        ratio = 0.5 if l1_ratio is None else float(l1_ratio)
        if not 0.0 <= ratio <= 1.0 or math.isnan(ratio):
            raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}")
        return ratio
    if l1_ratio is not None:
        raise ValueError(f"l1_ratio applies to the elasticnet penalty only (penalty is "
                         f"{penalty!r})")
    return 1.0 if penalty == "l1" else 0.0


def grid_ratio(family, l1_ratio, shape, alpha_min_ratio=None):
    """alpha_min / alpha_max of the grid: ``alpha_min_ratio``, or the engine's default
    (1e-4 when n ≥ p, else 1e-2; 1e-2 for classes: below it separable data sends the
    coefficients to infinity). For ridge (l1_ratio 0) the grid starts at glmnet's ridge
    alpha_max, 1000× the lasso's (DESIGN §1), so the ratio is 1000× smaller and the grid
    reaches the same small alphas as the lasso's."""
    if alpha_min_ratio is None:
        n, p = shape
        if family in ("binomial", "multinomial"):
            alpha_min_ratio = CLASSIFICATION_ALPHA_MIN_RATIO
        else:
            alpha_min_ratio = 1e-4 if n >= p else 1e-2
        if l1_ratio == 0.0:
            alpha_min_ratio *= 1e-3
    alpha_min_ratio = float(alpha_min_ratio)
    if not 0.0 < alpha_min_ratio < 1.0:
        raise ValueError(f"alpha_min_ratio must be in (0, 1), got {alpha_min_ratio!r}")
    return alpha_min_ratio


def _ridge_grid(X, y, n_alphas, alpha_min_ratio, standardize):
    """RidgeCV's alphas (scikit-learn's sum scale) on the path's default ridge grid."""
    from .path import path

    fit = path(X, y, l1_ratio=0.0, n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
               standardize=standardize)
    return fit.alphas * X.shape[0]


def fit_prepared(prepared, *, penalty="l1", l1_ratio=None, cv=5, selection="min",
                 standardize=True, n_alphas=100, alpha_min_ratio=None, random_state=0,
                 tol=None, max_iter=None):
    """Fit the cross-validated estimator for ``prepared`` (see :func:`fit_table`)."""
    ratio = penalty_l1_ratio(penalty, l1_ratio)
    if selection not in ("min", "1se"):
        raise ValueError(f"selection must be 'min' or '1se', got {selection!r}")
    cv = int(cv)
    X, y, family = prepared.design, prepared.y, prepared.family
    if cv < 2:
        raise ValueError(f"cv needs at least 2 folds, got {cv}")
    if cv > X.shape[0]:
        raise ValueError(f"cv={cv} folds but only {X.shape[0]} rows")
    if family in ("binomial", "multinomial"):
        smallest = int(np.min(np.unique(y, return_counts=True)[1]))
        if smallest < cv:
            raise ValueError(f"the rarest class has {smallest} row(s), fewer than the "
                             f"{cv} CV folds; use fewer folds (--cv)")
    from .estimators._base import cv_default_grid

    fitted = {}

    def run(n_grid, alpha_min_ratio):
        """Fit on a grid of that depth; its CV path, for ``cv_default_grid``."""
        estimator = _build_estimator(family, ratio, cv=cv, selection=selection,
                                     standardize=standardize, n_alphas=n_grid,
                                     alpha_min_ratio=alpha_min_ratio,
                                     random_state=random_state, tol=tol, max_iter=max_iter)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if family == "gaussian" and ratio == 0.0:
                estimator.set_params(alphas=_ridge_grid(X, y, n_grid, alpha_min_ratio,
                                                        standardize))
            estimator.fit(X, y)
        fitted.update(estimator=estimator, caught=caught)
        return [estimator.cv_path_]

    # The estimator is handed an explicit grid depth, which it takes as the user's and
    # never extends; the default depth is extended here by the estimators' own rule (a
    # CV minimum at its small end, still falling). breast_cancer (binomial, l1): deviance
    # 0.179 at the 1e-2 grid's end, 0.152 inside.
    given = None if alpha_min_ratio is None else grid_ratio(family, ratio, X.shape,
                                                            alpha_min_ratio)
    cv_default_grid(run, X, int(n_alphas), given, selection,
                    lambda *shape: grid_ratio(family, ratio, shape))
    estimator, caught = fitted["estimator"], fitted["caught"]
    notes = list(prepared.notes)
    # the CLI prints each as "note: …", with the grid's knob under its own names
    notes.extend(re.sub(r"\((?:Cs|alphas), or eps\)",
                        "(alpha_min_ratio, --alpha-min-ratio)", text)
                 for text in _unique_warnings(caught))
    cvp = estimator.cv_path_
    idx = cvp.index(selection)
    coef = np.atleast_2d(estimator.coef_)
    scale = _column_std(X)
    info = {
        "penalty": penalty, "l1_ratio": ratio, "selection": selection,
        "alpha": float(cvp.alphas[idx]), "alpha_min": float(cvp.alpha_min),
        "alpha_1se": float(cvp.alpha_1se), "cv_score": float(cvp.cvm[idx]),
        "cv_se": float(cvp.cvsd[idx]), "scoring": str(cvp.scoring),
        "score_name": score_name(cvp.scoring, family), "n_folds": int(cvp.n_folds),
        "n_samples": int(X.shape[0]), "n_features": int(X.shape[1]),
        "n_nonzero": int(np.count_nonzero(np.any(coef != 0, axis=0))),
        "standardize": bool(standardize), "family_reason": prepared.family_reason,
        "family_source": "inferred" if prepared.family_reason else "given",
        "notes": notes, "random_state": random_state,
    }
    return Model(estimator, prepared.preprocessor, family=family, target=prepared.target,
                 info=info, feature_scale=scale)


# The path's warning for one alpha whose duality gap stayed above tol (path.py).
_UNCONVERGED = re.compile(r"path did not converge at alpha=(\S+): relative duality gap "
                          r"(\S+) > tol=(\S+)")


def _unique_warnings(caught):
    """The distinct messages of caught warnings, one line each; the path's warnings on
    the alphas that did not converge (one per alpha and CV fold) make one line."""
    seen, unconverged, tol = [], {}, None
    for w in caught:
        text = _one_line(w.message)
        match = _UNCONVERGED.match(text)
        if match:                           # gap of each alpha: the largest over the folds
            alpha, gap, tol = match.groups()
            unconverged[alpha] = max(float(gap), unconverged.get(alpha, 0.0))
            continue
        if "path stopped early" in text or "did not converge" in text:
            text = text.split(":")[0]
        if text not in seen:
            seen.append(text)
    if unconverged:
        alphas = list(unconverged)
        shown = ", ".join(alphas[:5]) + (", …" if len(alphas) > 5 else "")
        seen.append(f"the path did not converge at {len(alphas)} alpha(s) ({shown}): "
                    f"relative duality gap up to {max(unconverged.values()):.3g} > "
                    f"tol={tol}; increase max_iter or tol")
    return seen


def fit_table(frame, target, *, family=None, penalty="l1", l1_ratio=None, cv=5,
              selection="min", impute=None, drop=(), standardize=True, n_alphas=100,
              alpha_min_ratio=None, random_state=0, tol=None, max_iter=None):
    """Fit a cross-validated regularized model on a raw table.

    Parameters
    ----------
    frame : pandas DataFrame with the features and the target.
    target : the target column's name.
    family : "gaussian", "binomial", "multinomial", "poisson" or None (inferred: numbers →
        gaussian, two classes → binomial, more → multinomial).
    penalty : "l1" (lasso), "l2" (ridge) or "elasticnet" (with ``l1_ratio``, default 0.5).
    cv : number of folds (shuffled with ``random_state``; stratified for classes).
    selection : "min" (lowest mean CV error) or "1se" (the largest alpha within one standard
        error of it).
    impute, drop : see :func:`prepare_table`.
    standardize : penalize the columns scaled to unit variance (glmnet's default);
        coefficients are reported on the original scale.
    n_alphas, alpha_min_ratio : the grid: ``n_alphas`` values from alpha_max down to
        ``alpha_max·alpha_min_ratio`` (None: the engine's default, 1e-2 for classes).
    tol : the solver's duality-gap tolerance (None: the estimator's default).
    max_iter : the solver's most epochs per alpha (None: the estimator's default; ridge is
        solved in closed form and ignores it).

    Returns
    -------
    Model
    """
    prepared = prepare_table(frame, target, family=family, impute=impute, drop=drop)
    return fit_prepared(prepared, penalty=penalty, l1_ratio=l1_ratio, cv=cv,
                        selection=selection, standardize=standardize, n_alphas=n_alphas,
                        alpha_min_ratio=alpha_min_ratio, random_state=random_state, tol=tol,
                        max_iter=max_iter)


def path_frame(fitted_path, feature_names=None, classes=None):
    """A regularization path as a DataFrame: one row per alpha with ``alpha``,
    ``n_nonzero``, ``deviance_ratio``, ``gap``, the intercept(s) and one column per
    coefficient (``class:feature`` for the multinomial loss)."""
    pd = _pandas()
    coef = np.asarray(fitted_path.coef)
    p = coef.shape[-1]
    names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(p)]
    if len(names) != p:
        raise ValueError(f"{len(names)} feature names for {p} coefficients")
    data = {"alpha": fitted_path.alphas, "n_nonzero": fitted_path.n_nonzero,
            "deviance_ratio": fitted_path.deviance_ratio, "gap": fitted_path.gap}
    if coef.ndim == 3:
        labels = list(classes) if classes is not None else list(range(coef.shape[1]))
        for k, label in enumerate(labels):
            data[f"{label}:intercept"] = np.asarray(fitted_path.intercept)[:, k]
        for k, label in enumerate(labels):
            for j, name in enumerate(names):
                data[f"{label}:{name}"] = coef[:, k, j]
    else:
        data["intercept"] = fitted_path.intercept
        for j, name in enumerate(names):
            data[name] = coef[:, j]
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------
# model files
# ---------------------------------------------------------------------------------------
_SKIPPED_ATTRIBUTES = {"path_", "cv_path_", "cv_results_", "ic_path_", "mse_path_",
                       "criterion_"}


def _estimator_classes():
    from . import estimators

    return {name: getattr(estimators, name) for name in estimators.__all__}


def _encode_value(value):
    """A JSON-able form of a parameter or attribute value, or raise TypeError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
        if value.dtype.kind in "OU":
            items = value.tolist()
            if all(isinstance(v, str) for v in np.ravel(value)):
                return {"__strarray__": items, "object": value.dtype.kind == "O"}
        raise TypeError(f"array of dtype {value.dtype}")
    if isinstance(value, (list, tuple)):
        return {"__list__": [_encode_value(v) for v in value],
                "tuple": isinstance(value, tuple)}
    if isinstance(value, dict):
        return {"__dict__": [[_encode_value(k), _encode_value(v)] for k, v in value.items()]}
    raise TypeError(type(value).__name__)


def _decode_value(value):
    if isinstance(value, dict):
        if "__float__" in value:
            text = value["__float__"]
            if text not in ("inf", "-inf", "nan"):
                raise ValueError(f"bad float {text!r}")
            return float(text)
        if "__ndarray__" in value:
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in "biuf":
                raise ValueError(f"bad dtype {value['dtype']!r}")
            return np.asarray(value["__ndarray__"], dtype=dtype)
        if "__strarray__" in value:
            items = value["__strarray__"]
            return np.asarray(items, dtype=object if value.get("object") else None)
        if "__list__" in value:
            items = [_decode_value(v) for v in value["__list__"]]
            return tuple(items) if value.get("tuple") else items
        if "__dict__" in value:
            return {_hashable(_decode_value(k)): _decode_value(v)
                    for k, v in value["__dict__"]}
        raise ValueError("unknown encoded value")
    if isinstance(value, list):
        raise ValueError("bare list in encoded value")
    return value


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _estimator_record(estimator):
    """(JSON record, arrays) of a fitted estimator of regularized.estimators."""
    classes = _estimator_classes()
    name = type(estimator).__name__
    if classes.get(name) is not type(estimator):
        raise ValueError(f"cannot save a {name}: model files hold the estimators of "
                         "regularized.estimators (or a regularized.io.Model)")
    if not hasattr(estimator, "coef_"):
        raise ValueError(f"this {name} is not fitted yet; fit it before saving")
    params, dropped = {}, []
    for key, value in estimator.get_params(deep=False).items():
        try:
            params[key] = _encode_value(value)
        except TypeError:
            params[key] = None
            dropped.append(key)
    attributes, arrays = {}, {}
    for key, value in vars(estimator).items():
        if not key.endswith("_") or key.startswith("_") or key in _SKIPPED_ATTRIBUTES:
            continue
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[key] = value
            continue
        try:
            attributes[key] = _encode_value(value)
        except TypeError:
            continue
    record = {"class": name, "params": params, "params_not_saved": dropped,
              "attributes": attributes}
    return record, arrays


def _checksum(metadata, arrays):
    meta = {k: v for k, v in metadata.items() if k != "sha256"}
    h = hashlib.sha256()
    h.update(json.dumps(meta, sort_keys=True, separators=(",", ":"),
                        ensure_ascii=True).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(b"\0" + name.encode() + b"\0" + a.dtype.str.encode()
                 + repr(a.shape).encode() + b"\0")
        h.update(a.tobytes())
    return h.hexdigest()


def save(model, path):
    """Write a fitted model to one file (see the module docstring for the format).

    ``model`` is a :class:`Model` (estimator + preprocessing, what :func:`fit_table` and
    ``regularized fit`` make) or a bare fitted estimator of :mod:`regularized.estimators`.
    The file is written to a temporary name and moved into place, so a crash never leaves a
    half-written model under ``path``. Returns ``path``.
    """
    from . import __version__

    if isinstance(model, Model):
        record, arrays = _estimator_record(model.estimator)
        kind = "model"
        extra = {"preprocessing": model.preprocessor.to_dict(), "family": model.family,
                 "target": model.target, "info": _jsonable_info(model.info),
                 "feature_names": model.feature_names}
        if model.feature_scale is not None:
            arrays["__feature_scale__"] = model.feature_scale
    else:
        record, arrays = _estimator_record(model)
        kind = "estimator"
        extra = {}
    metadata = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                "library_version": __version__,
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "kind": kind, "estimator": record,
                "arrays": {k: {"dtype": v.dtype.str, "shape": list(v.shape)}
                           for k, v in arrays.items()},
                **extra}
    metadata["sha256"] = _checksum(metadata, arrays)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"no such directory: {directory}")
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(METADATA_MEMBER, json.dumps(metadata, indent=1, ensure_ascii=False))
            for name, a in arrays.items():
                buf = _io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
                zf.writestr(f"{ARRAY_PREFIX}{name}.npy", buf.getvalue())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _jsonable_info(info):
    out = {}
    for key, value in info.items():
        try:
            out[key] = _encode_value(value) if not isinstance(value, list) else \
                [_encode_value(v) for v in value]
        except TypeError:
            out[key] = str(value)
    return out


def _decode_info(info):
    out = {}
    for key, value in info.items():
        out[key] = [_decode_value(v) for v in value] if isinstance(value, list) \
            else _decode_value(value)
    return out


def load(path):
    """Read a model file written by :func:`save`.

    Returns a :class:`Model` (for a saved Model) or the estimator (for a saved bare
    estimator), predicting exactly as the saved one. Raises ``ValueError`` with a one-line
    message for a file that is not a model file, is corrupt, truncated or edited, or comes
    from a newer format version; ``FileNotFoundError`` for a missing file.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if os.path.isdir(path):
        raise ValueError(f"{path} is a directory, not a model file")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head != b"PK\x03\x04":
        raise ValueError(f"{path} is not a regularized model file")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_MODEL_BYTES:
                raise ValueError(f"{path} is too large to be a regularized model file")
            names = {i.filename for i in infos}
            if METADATA_MEMBER not in names:
                raise ValueError(f"{path} is not a regularized model file (no "
                                 f"{METADATA_MEMBER})")
            metadata = _read_metadata(zf.read(METADATA_MEMBER), path)
            arrays = {}
            for name, spec in metadata["arrays"].items():
                member = f"{ARRAY_PREFIX}{name}.npy"
                if member not in names:
                    raise ValueError(f"{path} is corrupt: array {name!r} is missing")
                a = np.lib.format.read_array(_io.BytesIO(zf.read(member)),
                                             allow_pickle=False)
                if a.dtype.kind not in "biuf" or a.dtype.str != spec["dtype"] \
                        or list(a.shape) != list(spec["shape"]):
                    raise ValueError(f"{path} is corrupt: array {name!r} does not match "
                                     "its description")
                arrays[name] = a
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is corrupt or truncated ({_one_line(exc)})") from exc
    except (EOFError, OSError, zipfile.LargeZipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is corrupt or truncated ({_one_line(exc)})") from exc
    except ValueError as exc:
        text = str(exc)
        if text.startswith(path):
            raise
        raise ValueError(f"{path} is corrupt: {_one_line(exc)}") from exc
    except Exception as exc:  # zlib, struct, numpy header errors…: a damaged archive
        raise ValueError(f"{path} is corrupt ({type(exc).__name__}: {_one_line(exc)})") \
            from exc
    if _checksum(metadata, arrays) != metadata.get("sha256"):
        raise ValueError(f"{path} failed its integrity check (SHA-256 mismatch): the file "
                         "was modified or is corrupt")
    try:
        return _rebuild(metadata, arrays)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"{path} is corrupt: {_one_line(exc)}") from exc


def _read_metadata(raw, path):
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is corrupt: unreadable metadata ({_one_line(exc)})") \
            from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ValueError(f"{path} is not a regularized model file")
    version = metadata.get("format_version")
    if not isinstance(version, int):
        raise ValueError(f"{path} is corrupt: no format version")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer regularized (model format version {version}; "
            f"this version, {_library_version()}, reads up to {FORMAT_VERSION}): upgrade "
            "regularized to load it")
    if version < 1:
        raise ValueError(f"{path} has an unknown model format version {version}")
    if not isinstance(metadata.get("arrays"), dict):
        raise ValueError(f"{path} is corrupt: no array list")
    for name in metadata["arrays"]:
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise ValueError(f"{path} is corrupt: bad array name {name!r}")
    return metadata


def _library_version():
    from . import __version__

    return __version__


def _fitted_name(key):
    """A fitted attribute's name: ``coef_``, ``alpha_min_``… (never private or dunder)."""
    return isinstance(key, str) and key.endswith("_") and key[:1].isalpha() \
        and key.replace("_", "").isalnum()


def _rebuild(metadata, arrays):
    record = metadata["estimator"]
    classes = _estimator_classes()
    cls = classes.get(record["class"])
    if cls is None:
        raise ValueError(f"unknown estimator class {record['class']!r}")
    params = {k: _decode_value(v) for k, v in record["params"].items()}
    valid = cls().get_params(deep=False)
    unknown = set(params) - set(valid)
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)} for {record['class']}")
    estimator = cls(**params)
    for key, value in record["attributes"].items():
        if not _fitted_name(key):
            raise ValueError(f"bad attribute name {key!r}")
        setattr(estimator, key, _decode_value(value))
    for key, value in arrays.items():
        if key == "__feature_scale__":
            continue
        if not _fitted_name(key):
            raise ValueError(f"bad array name {key!r}")
        setattr(estimator, key, value)
    if not hasattr(estimator, "coef_"):
        raise ValueError("the estimator has no coefficients")
    if metadata["kind"] == "estimator":
        return estimator
    if metadata["kind"] != "model":
        raise ValueError(f"unknown kind {metadata['kind']!r}")
    pre = Preprocessor.from_dict(metadata["preprocessing"])
    n_coef = np.atleast_2d(estimator.coef_).shape[1]
    if len(pre.feature_names_) != n_coef:
        raise ValueError(f"the preprocessing makes {len(pre.feature_names_)} features but "
                         f"the estimator has {n_coef} coefficients")
    family = metadata["family"]
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    return Model(estimator, pre, family=family, target=metadata.get("target"),
                 info=_decode_info(metadata.get("info", {})),
                 feature_scale=arrays.get("__feature_scale__"))
