"""A self-contained HTML report of a regularized fit (``regularized report``).

:func:`build_report` fits a cross-validated model on a table and draws what regularization
does on it: the coefficient path, the CV curve, the bias-variance decomposition, the sparsity
of L1, elastic net and L2, the chosen model's coefficients and table, and the three
penalties compared on the same folds. :meth:`Report.write` saves ``report.html`` (every
picture inline as a PNG data URI; no scripts, no external files: it opens offline) and the
model file next to it.

matplotlib (``regularized[plot]``) and pandas (``regularized[io]``) are needed.
"""
import datetime as _dt
import os
import warnings

import numpy as np

from . import _html as H
from ._progress import NullProgress, RichProgress

__all__ = ["Report", "build_report", "NullProgress", "RichProgress"]

REPORT_FILE = "report.html"
MODEL_FILE = "model.npz"
PENALTY_NAMES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elasticnet": "elastic net"}
BIAS_VARIANCE_ALPHAS = 25
# The coefficient table lists every feature (zeros greyed) up to LIST_ALL_UP_TO features;
# beyond, only the non-zero coefficients, the largest COEF_TABLE_MAX_ROWS of them at most
# (a lasso on 2000 features listed 1880 zero rows: 146 KB of a 844 KB page). The columns
# table likewise lists every column up to LIST_ALL_UP_TO, then gives the numeric columns
# one row (2000 of them took 240 KB).
LIST_ALL_UP_TO = 30
COEF_TABLE_MAX_ROWS = 200


class Report:
    """The result of :func:`build_report`: ``html`` (the page), ``model`` (the chosen
    ``regularized.io.Model``), ``comparison`` (one dict per penalty), ``bias_variance``
    (the ``BiasVariance``) and ``notes``."""

    def __init__(self, *, html, model, comparison, bias_variance, notes):
        self.html = html
        self.model = model
        self.comparison = comparison
        self.bias_variance = bias_variance
        self.notes = notes

    def write(self, out_dir, *, save_model=True):
        """Write ``report.html`` (and ``model.npz``) into ``out_dir`` (created if needed);
        returns the report's path."""
        from ..io import save

        out_dir = os.fspath(out_dir)
        if os.path.exists(out_dir) and not os.path.isdir(out_dir):
            raise ValueError(f"{out_dir} exists and is not a directory")
        os.makedirs(out_dir, exist_ok=True)
        target = os.path.join(out_dir, REPORT_FILE)
        tmp = f"{target}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(self.html)
        os.replace(tmp, target)
        if save_model:
            save(self.model, os.path.join(out_dir, MODEL_FILE))
        return target


def _penalty_label(penalty, l1_ratio):
    if penalty == "elasticnet":
        return f"elastic net (l1_ratio={l1_ratio:g})"
    return PENALTY_NAMES[penalty]


def build_report(frame, target, *, family=None, penalty="l1", l1_ratio=None, cv=5,
                 selection="min", impute=None, drop=(), standardize=True, n_alphas=100,
                 alpha_min_ratio=None, random_state=0, n_rounds=30, title=None, source=None,
                 command=None, progress=None, family_note=None, tol=None, max_iter=None):
    """Fit, diagnose and draw; returns a :class:`Report` (see the module docstring).

    Parameters are those of :func:`regularized.io.fit_table` (``tol``, ``max_iter``: the
    solver's, None for the estimators' defaults), plus ``n_rounds`` (resampled
    training sets of the bias-variance decomposition), ``title``, ``source`` (where the
    data came from, shown in the page), ``command`` (the command line, shown in the footer),
    ``progress`` (a :class:`RichProgress` or :class:`NullProgress`) and ``family_note``
    (why the caller chose ``family``, shown beside it, e.g. "the iris dataset's family").
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    from .. import __version__
    from ..diagnostics import bias_variance
    from ..io import fit_prepared, penalty_l1_ratio, prepare_table

    progress = progress if progress is not None else NullProgress()
    ratio = penalty_l1_ratio(penalty, l1_ratio)
    settings = dict(cv=cv, selection=selection, standardize=standardize, n_alphas=n_alphas,
                    alpha_min_ratio=alpha_min_ratio, random_state=random_state, tol=tol,
                    max_iter=max_iter)
    with progress.task("preparing the data", total=None):
        prepared = prepare_table(frame, target, family=family, impute=impute, drop=drop)

    # The chosen penalty, then the other two on the same folds (same seed).
    en_ratio = ratio if penalty == "elasticnet" else 0.5
    order = [(penalty, ratio)] + [(p, r) for p, r in
                                  (("l1", 1.0), ("elasticnet", en_ratio), ("l2", 0.0))
                                  if p != penalty]
    fits = {}
    with progress.task("cross-validating L1, elastic net and L2", total=3) as task:
        for pen, r in order:
            fits[pen] = fit_prepared(prepared, penalty=pen,
                                     l1_ratio=r if pen == "elasticnet" else None, **settings)
            task.advance()
    model = fits[penalty]
    if family_note is not None and family is not None:
        for fitted in fits.values():
            fitted.info["family_source"], fitted.info["family_reason"] = "note", family_note

    cvp = model.estimator.cv_path_
    step = max(1, len(cvp.alphas) // BIAS_VARIANCE_ALPHAS)
    bv_alphas = np.asarray(cvp.alphas)[::step]
    with progress.task("bias-variance: refitting on resampled data", total=n_rounds) as task:
        bv = bias_variance(model.estimator, prepared.X, prepared.y, bv_alphas,
                           n_rounds=n_rounds, random_state=random_state,
                           progress=lambda done, total: task.advance())

    with progress.task("drawing", total=6) as task:
        figures = _figures(model, fits, bv, order, en_ratio, task)
    page = _page(model=model, fits=fits, order=order, bv=bv, figures=figures,
                 prepared=prepared, title=title, source=source, command=command,
                 version=__version__, frame_shape=frame.shape)
    comparison = [_comparison_row(pen, fits[pen], selection) for pen, _ in order]
    return Report(html=page, model=model, comparison=comparison, bias_variance=bv,
                  notes=list(model.info["notes"]))


def _comparison_row(penalty, model, selection):
    info = model.info
    return {"penalty": penalty, "l1_ratio": info["l1_ratio"], "alpha": info["alpha"],
            "alpha_min": info["alpha_min"], "alpha_1se": info["alpha_1se"],
            "cv_score": info["cv_score"], "cv_se": info["cv_se"],
            "n_nonzero": info["n_nonzero"], "scoring": info["scoring"],
            "selection": selection}


def _figures(model, fits, bv, order, en_ratio, task):
    import matplotlib.pyplot as plt

    from ..plot import (plot_bias_variance, plot_coefficients, plot_cv, plot_path,
                        plot_sparsity)

    standardized = model.feature_scale is not None
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig, ax = plt.subplots(figsize=(8.6, 4.8), layout="constrained")
        plot_path(model, ax=ax, standardized=standardized, top_k=10)
        out["path"] = H.figure_html(fig, "coefficient path")
        task.advance()

        fig, ax = plt.subplots(figsize=(8.6, 4.6), layout="constrained")
        plot_cv(model, ax=ax)
        out["cv"] = H.figure_html(fig, "cross-validation curve")
        task.advance()

        fig, ax = plt.subplots(figsize=(8.6, 4.6), layout="constrained")
        plot_bias_variance(bv, ax=ax)
        out["bias_variance"] = H.figure_html(fig, "bias-variance decomposition")
        task.advance()

        fig, ax = plt.subplots(figsize=(8.6, 4.4), layout="constrained")
        labelled = {_penalty_label(pen, fits[pen].info["l1_ratio"]): fits[pen].estimator
                    for pen in ("l1", "elasticnet", "l2")}
        plot_sparsity(labelled, ax=ax)
        out["sparsity"] = H.figure_html(fig, "sparsity of L1, elastic net and L2")
        task.advance()

        n_show = int(np.count_nonzero(np.any(model.coef_matrix != 0, axis=0)))
        height = 1.4 + 0.26 * min(max(n_show, 1), 30) * (
            1.0 if model.coef_matrix.shape[0] == 1 else 1.6)
        fig, ax = plt.subplots(figsize=(8.6, height), layout="constrained")
        plot_coefficients(model, ax=ax, standardized=standardized, top_k=30)
        out["coefficients"] = H.figure_html(fig, "coefficients of the chosen model")
        task.advance()

        fig, ax = plt.subplots(figsize=(8.6, 4.4), layout="constrained")
        _plot_cv_comparison(fits, ax)
        out["comparison"] = H.figure_html(fig, "CV error of L1, elastic net and L2")
        task.advance()
    return out


def _plot_cv_comparison(fits, ax):
    from ..io import score_name

    family = None
    for k, pen in enumerate(("l1", "elasticnet", "l2")):
        m = fits[pen]
        family = m.family
        cv = m.estimator.cv_path_
        label = _penalty_label(pen, m.info["l1_ratio"])
        ax.plot(cv.alphas, cv.cvm, color=f"C{k}", linewidth=1.6, label=label)
        ax.fill_between(cv.alphas, cv.cvm - cv.cvsd, cv.cvm + cv.cvsd, color=f"C{k}",
                        alpha=0.15, linewidth=0)
        i = cv.index(m.info["selection"])
        ax.plot([cv.alphas[i]], [cv.cvm[i]], "o", color=f"C{k}", markersize=6)
    ax.set_xscale("log")
    lo = min(float(np.min(f.estimator.cv_path_.alphas)) for f in fits.values())
    hi = max(float(np.max(f.estimator.cv_path_.alphas)) for f in fits.values())
    ax.set_xlim(hi, lo)
    scoring = fits["l1"].estimator.cv_path_.scoring
    ax.set_ylabel(f"CV {score_name(scoring, family)}")
    ax.set_xlabel("alpha (log scale; weaker penalty →)")
    ax.legend(fontsize="x-small")
    return ax


def _coef_table(model):
    """The chosen model's coefficients, largest |coefficient × s.d.| first: every feature
    when there are at most LIST_ALL_UP_TO (zeros greyed), else the non-zero ones (at most
    COEF_TABLE_MAX_ROWS), with a line saying how many are not listed."""
    coef = model.coef_matrix
    names = model.feature_names
    scale = model.feature_scale if model.feature_scale is not None else np.ones(coef.shape[1])
    strength = np.abs(coef * scale).max(axis=0)
    order = np.argsort(-strength, kind="stable")
    n_features = coef.shape[1]
    n_nonzero = int(np.count_nonzero(strength))
    n_zero = n_features - n_nonzero
    zeros = (f"{n_zero:,} of the {n_features:,} features "
             f"{'has' if n_zero == 1 else 'have'} coefficient 0")
    if n_features <= LIST_ALL_UP_TO:
        note = f"{zeros} (greyed)." if n_zero else ""
    elif n_nonzero == 0:
        note = f"{zeros}: the model is the intercept alone."
        order = order[:0]
    else:
        order = order[:min(n_nonzero, COEF_TABLE_MAX_ROWS)]
        listed = (f"the {n_nonzero:,} non-zero coefficients" if order.size == n_nonzero else
                  f"the {order.size} largest of the {n_nonzero:,} non-zero coefficients (the "
                  "model file holds them all)")
        note = f"Listed: {listed}, largest |coefficient × s.d.| first."
        if n_zero:
            note += f" {zeros} (removed by the penalty) and are not listed."
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=float))
    classes = model.classes_
    if coef.shape[0] == 1:
        header = ["feature", "coefficient", "× s.d. of feature"]
        rows = [["(intercept)", H.fmt(intercept[0]), ""]]
        rows += [[names[j], H.fmt(coef[0, j]), H.fmt(coef[0, j] * scale[j])] for j in order]
    else:
        labels = [str(c) for c in classes]
        header = ["feature"] + [f"{c}" for c in labels] + \
            [f"{c} × s.d." for c in labels]
        rows = [["(intercept)"] + [H.fmt(b) for b in intercept] + [""] * len(labels)]
        rows += [[names[j]] + [H.fmt(coef[k, j]) for k in range(coef.shape[0])]
                 + [H.fmt(coef[k, j] * scale[j]) for k in range(coef.shape[0])]
                 for j in order]
    row_classes = [""] + ["zero" if strength[j] == 0 else "" for j in order]
    table = H.table_html(header, rows, row_classes=row_classes, scroll=len(rows) > 20)
    return (f'<p class="tablenote">{H.esc(note)}</p>' if note else "") + table


def _columns_table(preprocessor):
    """One row per input column, up to LIST_ALL_UP_TO columns; beyond, the numeric columns
    kept (not dropped) share one row (their fill values, if any, are each column's mean or
    median: the model file holds them)."""
    specs = preprocessor.columns_
    plain = [spec for spec in specs if spec["kind"] == "numeric" and not spec["dropped"]]
    grouped = plain if len(specs) > LIST_ALL_UP_TO and len(plain) > 1 else []
    skip = {id(spec) for spec in grouped[1:]}
    rows = []
    for spec in specs:
        if id(spec) in skip:
            continue
        if grouped and spec is grouped[0]:
            shown = ", ".join(g["name"] for g in grouped[:6]) + ", …"
            filled = any(g["fill"] is not None for g in grouped)
            rows.append([f"{len(grouped):,} numeric columns ({shown})", "numeric", "numeric",
                         f"each column's {preprocessor.impute}" if filled else ""])
            continue
        if spec["dropped"]:
            use = f"dropped: {spec['dropped']}"
        elif spec["kind"] == "categorical":
            shown = ", ".join(spec["levels"][:6]) + (", …" if len(spec["levels"]) > 6 else "")
            use = f"one-hot, {len(spec['levels'])} levels ({shown})"
        else:
            use = "numeric"
        fill = "" if spec["fill"] is None else (
            H.fmt(spec["fill"]) if isinstance(spec["fill"], float) else str(spec["fill"]))
        rows.append([spec["name"], spec["kind"], use, fill])
    return H.table_html(["column", "kind", "used as", "missing values filled with"], rows,
                        name_columns=4, scroll=len(rows) > 20)


def _page(*, model, fits, order, bv, figures, prepared, title, source, command, version,
          frame_shape):
    from ..io import describe_family

    info = model.info
    family = model.family
    family_text = describe_family(family, info)
    penalty_text = _penalty_label(info["penalty"], info["l1_ratio"])
    selected = model.selected_features()
    n_features = len(model.feature_names)
    score = info["score_name"]
    source = source or "data"
    title = title or f"Regularized {family} model of {prepared.target!r}"
    subtitle = (f"{source}: {frame_shape[0]} rows × {frame_shape[1]} columns; target "
                f"{prepared.target!r}")
    facts = [
        ("family", family_text),
        ("penalty", f"{penalty_text}, "
                    + ("standardized features" if info["standardize"] else "features as given")),
        ("cross-validation", f"{info['n_folds']} folds, alpha by the "
                             + ("minimum" if info["selection"] == "min" else "one-standard-error")
                             + " rule"),
        ("chosen alpha", f"{H.fmt(info['alpha'])} (alpha_min {H.fmt(info['alpha_min'])}, "
                         f"alpha_1se {H.fmt(info['alpha_1se'])})"),
        ("CV " + score, f"{H.fmt(info['cv_score'])} ± {H.fmt(info['cv_se'], 3)}"),
        ("features", f"{len(selected)} of {n_features} non-zero"),
        ("rows used", f"{info['n_samples']}"),
    ]
    body = [H.facts_html(facts)]
    notes = info.get("notes") or []
    if notes:
        body.append("<h2>Notes</h2>" + H.notes_html(notes))

    body.append("<h2>The chosen model</h2>")
    body.append(f"<p>The {penalty_text} fit on all {info['n_samples']} rows at alpha = "
                f"{H.esc(H.fmt(info['alpha']))}, the alpha chosen by {info['n_folds']}-fold "
                "cross-validation. Bars show each coefficient times its feature's standard "
                "deviation: the change in the linear predictor for one standard deviation "
                "of the feature, comparable across features.</p>")
    body.append(figures["coefficients"])
    body.append(_coef_table(model))

    body.append("<h2>Regularization path</h2>")
    body.append("<p>Each line is one coefficient (times its feature's standard deviation) as "
                "the penalty weakens from left to right; the top axis counts the non-zero "
                "coefficients. Dashed: alpha_min, dotted: alpha_1se.</p>")
    body.append(figures["path"])

    body.append("<h2>Cross-validation</h2>")
    body.append(f"<p>Mean held-out {H.esc(score)} over {info['n_folds']} folds, ± one "
                "standard error. alpha_min has the lowest mean; alpha_1se is the largest "
                "alpha within one standard error of it (a simpler model that is not "
                "measurably worse).</p>")
    body.append(figures["cv"])

    body.append("<h2>Bias and variance</h2>")
    body.append(
        f"<p>The expected squared error of the {H.esc(bv.response)} on new data, split into "
        f"bias², variance and noise. {bv.n_rounds} times, a model was fitted on a random "
        f"{bv.n_train} of the {bv.n_samples} rows at every alpha and scored on the rows it "
        f"left out ({bv.n_points} rows scored in all), so nothing is measured on training "
        "data. The variance is the spread of a row's predictions over those fits, corrected "
        "for the overlap of the training sets; the noise is "
        f"{H.esc(bv.noise_method)}; bias² is the rest of the error. Strong penalties "
        "(left) have high bias and low variance, weak ones (right) the reverse.</p>")
    body.append(figures["bias_variance"])

    body.append("<h2>Sparsity: L1, elastic net and L2</h2>")
    body.append("<p>How many coefficients are non-zero at each alpha. The L1 penalty sets "
                "coefficients exactly to zero, the elastic net does so more gradually and "
                "keeps correlated features together, the L2 penalty shrinks but never "
                "removes a feature.</p>")
    body.append(figures["sparsity"])

    body.append("<h2>L1 vs elastic net vs L2 on the same data</h2>")
    body.append(f"<p>The three penalties cross-validated on the same "
                f"{info['n_folds']} folds; the row in bold is the chosen model.</p>")
    rows, classes = [], []
    for pen, _ in sorted(order, key=lambda t: ("l1", "elasticnet", "l2").index(t[0])):
        m = fits[pen]
        i = m.info
        rows.append([_penalty_label(pen, i["l1_ratio"]), H.fmt(i["alpha"]),
                     H.fmt(i["alpha_min"]), H.fmt(i["alpha_1se"]),
                     f"{H.fmt(i['cv_score'])} ± {H.fmt(i['cv_se'], 3)}",
                     f"{i['n_nonzero']} of {n_features}"])
        classes.append("chosen" if pen == info["penalty"] else "")
    body.append(H.table_html(["penalty", "chosen alpha", "alpha_min", "alpha_1se",
                              f"CV {score}", "non-zero"], rows, row_classes=classes))
    body.append(figures["comparison"])

    body.append("<h2>Data and preprocessing</h2>")
    body.append(f"<p>{H.esc(subtitle)}. Categorical columns are one-hot encoded (one column "
                "per level); constant columns are dropped. The model file stores this "
                "preprocessing, so <code>regularized predict</code> applies it to raw data."
                "</p>")
    body.append(_columns_table(model.preprocessor))

    created = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    command_html = f"Command: <code>{H.esc(command)}</code>" if command else ""
    return H.PAGE.substitute(title=H.esc(title), subtitle=H.esc(subtitle),
                             body="\n".join(body), version=H.esc(version),
                             created=H.esc(created), command=command_html)
