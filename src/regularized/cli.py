"""The ``regularized`` command.

    regularized fit DATA --target COL [--family F] [--penalty P] [--l1-ratio R] [--cv K]
                   [--select min|1se] [--impute mean|median] [--drop COL ...]
                   [--tol T] [--max-iter N] [--out DIR]
    regularized report (DATA --target COL | --dataset NAME) [same options] [--rounds N]
                   [--out DIR]
    regularized predict MODEL|DIR DATA [--out FILE]
    regularized path DATA --target COL [--family F] [--penalty P] [--tol T] [--max-iter N]
                   [--out FILE]
    regularized datasets

DATA is a CSV or Parquet file; ``--dataset NAME`` takes an embedded dataset instead (see
``regularized datasets``). Every error is one line on stderr (``regularized: error: …``)
and a non-zero exit status: 2 for bad input, 1 for an internal failure, 130 when
interrupted. Progress bars appear on stderr (a terminal only) for work longer than about a
second; ``--quiet`` silences them.

``main(argv)`` runs the command and returns the exit status (it never raises).
"""
import argparse
import os
import sys
import warnings

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
PROG = "regularized"
MODEL_FILE = "model.npz"


class UsageError(Exception):
    """A bad command line (reported like argparse's errors, on one line)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _version():
    from . import __version__

    return __version__


def _add_data_options(p, *, dataset=True):
    p.add_argument("data", nargs="?", metavar="DATA",
                   help="a CSV (.csv, .tsv) or Parquet (.parquet) file")
    if dataset:
        p.add_argument("--dataset", metavar="NAME",
                       help="an embedded dataset instead of DATA (see `regularized datasets`)")
    p.add_argument("--target", metavar="COL", help="the column to predict")
    p.add_argument("--family", choices=("gaussian", "binomial", "multinomial", "poisson"),
                   help="the model family (default: from the target: numbers → gaussian, "
                        "two classes → binomial, more → multinomial)")
    p.add_argument("--penalty", choices=("l1", "l2", "elasticnet"), default=None,
                   help="l1 (lasso, default), l2 (ridge) or elasticnet")
    p.add_argument("--l1-ratio", type=_unit_float, metavar="R",
                   help="the elastic net's mix of L1 in [0, 1] (default 0.5; implies "
                        "--penalty elasticnet)")
    p.add_argument("--impute", choices=("mean", "median"),
                   help="fill missing feature values (numeric: mean or median; categorical: "
                        "most frequent level) instead of stopping")
    p.add_argument("--drop", metavar="COL", action="append", default=[],
                   help="leave this column out (repeatable; or comma-separated)")
    p.add_argument("--no-standardize", dest="standardize", action="store_false",
                   help="penalize the features on their own scale (default: standardized)")
    p.add_argument("--n-alphas", type=_int_at_least(1), default=100, metavar="N",
                   help="alphas on the grid (default 100)")
    p.add_argument("--alpha-min-ratio", type=_open_unit_float, metavar="R",
                   help="smallest/largest alpha of the grid (default: 1e-4 if rows ≥ "
                        "features else 1e-2; 1e-2 for classes; ×1e-3 for l2)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def _add_solver_options(p):
    p.add_argument("--tol", type=_positive_float, metavar="T",
                   help="the solver's tolerance on the relative duality gap (default 1e-7)")
    p.add_argument("--max-iter", type=_int_at_least(1), metavar="N",
                   help="the solver's most passes over the data per alpha (default 100000; "
                        "ridge is solved in closed form)")


def _add_cv_options(p):
    p.add_argument("--cv", type=_int_at_least(1), default=5, metavar="K",
                   help="cross-validation folds (default 5)")
    p.add_argument("--select", choices=("min", "1se"), default="min",
                   help="alpha of the lowest CV error (min, default) or the largest alpha "
                        "within one standard error of it (1se)")
    p.add_argument("--seed", type=int, default=0, help="seed of the folds (default 0)")


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _unit_float(text):
    """A number in [0, 1] (an l1_ratio)."""
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def _open_unit_float(text):
    """A number in (0, 1), ends excluded (a ratio of alphas)."""
    value = _number(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {text}")
    return value


def _positive_float(text):
    value = _number(text)
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _int_at_least(minimum):
    """An argparse type: an integer ≥ ``minimum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
        return value

    return parse


def build_parser():
    parser = _Parser(prog=PROG, description="Regularized models (lasso, ridge, elastic net) "
                     "from the command line: fit with cross-validation, report, predict.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("fit", help="fit with cross-validation and write a model file",
                       description="Fit a regularized model with cross-validation, print a "
                                   "summary and write DIR/model.npz.")
    _add_data_options(p)
    _add_cv_options(p)
    _add_solver_options(p)
    p.add_argument("--out", metavar="DIR", default=".",
                   help="directory of the model file (default: the current one)")

    p = sub.add_parser("report", help="a self-contained HTML report",
                       description="Fit, diagnose and draw: DIR/report.html (every picture "
                                   "inline; opens offline) and DIR/model.npz.")
    _add_data_options(p)
    _add_cv_options(p)
    _add_solver_options(p)
    p.add_argument("--rounds", type=_int_at_least(2), default=30, metavar="N",
                   help="resampled training sets for the bias-variance plot (at least 2; "
                        "default 30)")
    p.add_argument("--title", help="the report's title")
    p.add_argument("--out", metavar="DIR", default="report",
                   help="output directory (default: report)")

    p = sub.add_parser("predict", help="predict with a model file",
                       description="Predict DATA with MODEL (preprocessing included) and "
                                   "write the predictions as CSV (or Parquet by extension).")
    p.add_argument("model", metavar="MODEL",
                   help="a model file from `regularized fit`, or the directory it wrote "
                        f"(DIR/{MODEL_FILE})")
    p.add_argument("data", metavar="DATA", help="a CSV or Parquet file")
    p.add_argument("--out", metavar="FILE", help="output file (default: CSV on stdout)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")

    p = sub.add_parser("path", help="the regularization path as CSV",
                       description="Fit the whole regularization path (no CV) and write one "
                                   "row per alpha: alpha, non-zero count, deviance explained, "
                                   "duality gap, intercept and coefficients.")
    _add_data_options(p)
    _add_solver_options(p)
    p.add_argument("--out", metavar="FILE", help="output file (default: CSV on stdout)")

    sub.add_parser("datasets", help="list the embedded datasets")
    return parser


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _progress(args):
    from .report import NullProgress, RichProgress

    if getattr(args, "quiet", False):
        return NullProgress()
    try:
        return RichProgress()
    except ImportError:                                          # rich is optional
        return NullProgress()


def _drop_list(values):
    out = []
    for v in values or ():
        out.extend(c.strip() for c in v.split(",") if c.strip())
    return out


def _load_data(args):
    """(frame, target, family, family_reason, source) from DATA or --dataset."""
    from .io import read_table

    dataset = getattr(args, "dataset", None)
    if dataset and args.data:
        raise UsageError("give either DATA or --dataset, not both")
    if dataset:
        from .datasets import load_dataset

        ds = load_dataset(dataset)
        target = args.target or ds.target
        family, reason = args.family, None
        if family is None and target == ds.target:
            family, reason = ds.family, f"the {dataset} dataset's family"
        return ds.frame, target, family, reason, f"dataset {dataset!r}"
    if not args.data:
        raise UsageError("give a data file (DATA) or --dataset NAME" if hasattr(args, "dataset")
                         else "give a data file (DATA)")
    if not args.target:
        raise UsageError("name the target column with --target COL")
    return read_table(args.data), args.target, args.family, None, os.path.basename(args.data)


def _penalty(args):
    penalty = args.penalty
    if args.l1_ratio is not None:
        if penalty in ("l1", "l2"):
            raise UsageError(f"--l1-ratio applies to --penalty elasticnet, not {penalty}")
        penalty = "elasticnet"
    return penalty or "l1", args.l1_ratio


def _write_table(frame, out, stdout):
    if out is None:
        frame.to_csv(stdout, index=False)
        return None
    lower = out.lower()
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"no such directory: {directory}")
    if lower.endswith((".parquet", ".pq")):
        frame.to_parquet(out, index=False)
    elif lower.endswith((".csv", ".csv.gz", ".txt")):
        frame.to_csv(out, index=False)
    elif lower.endswith(".tsv"):
        frame.to_csv(out, index=False, sep="\t")
    else:
        raise ValueError(f"cannot tell the format of {out}: name it .csv, .tsv or .parquet")
    return out


def _out_dir(path):
    """``--out``, checked before the work; created only once there is something to write
    (``_made``), so a failed fit leaves no empty directory behind."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"--out {path} exists and is not a directory")
    return path


def _made(path):
    os.makedirs(path, exist_ok=True)
    return path


def _in_cli_words(text):
    """A library message with the command's options in place of Python parameters."""
    return (text.replace("increase max_iter or tol", "raise --max-iter or --tol")
            .replace("more epochs cannot help); raise tol", "more epochs cannot help); raise --tol")
            .replace("(max_iter=", "(--max-iter="))


def _summary(model, source, model_path, stdout, args, extra=()):
    info = model.info
    from .io import describe_family, score_name

    def line(key, value):
        print(f"  {key:<11} {value}", file=stdout)

    family = describe_family(model.family, info)
    penalty = {"l1": "l1 (lasso)", "l2": "l2 (ridge)",
               "elasticnet": f"elasticnet (l1_ratio={info['l1_ratio']:g})"}[info["penalty"]]
    selected = model.selected_features()
    n_features = len(model.feature_names)
    print(f"{PROG}: {source}, {info['n_samples']} rows, target {model.target!r}", file=stdout)
    line("family", family)
    line("penalty", f"{penalty}, {info['n_folds']}-fold CV, --select {info['selection']}")
    line("alpha", f"{info['alpha']:.6g} (alpha_min {info['alpha_min']:.6g}, "
                  f"alpha_1se {info['alpha_1se']:.6g})")
    line("CV score", f"{score_name(info['scoring'], model.family)} {info['cv_score']:.6g} "
                     f"± {info['cv_se']:.3g}")
    shown = ", ".join(selected[:15]) + (f", … ({len(selected) - 15} more)"
                                        if len(selected) > 15 else "")
    line("selected", f"{len(selected)} of {n_features} features" + (f": {shown}"
                                                                    if selected else ""))
    for key, value in extra:
        line(key, value)
    if model_path:
        line("model", model_path)
    for note in info.get("notes") or ():
        print(f"  note: {_in_cli_words(note)}", file=stdout)


# ---------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------
def _cmd_fit(args, stdout, stderr):
    from .io import fit_table, save

    penalty, l1_ratio = _penalty(args)
    frame, target, family, reason, source = _load_data(args)
    out_dir = _out_dir(args.out)
    with _progress(args) as progress:
        with progress.task(f"cross-validating ({args.cv} folds)"):
            model = fit_table(frame, target, family=family, penalty=penalty,
                              l1_ratio=l1_ratio, cv=args.cv, selection=args.select,
                              impute=args.impute, drop=_drop_list(args.drop),
                              standardize=args.standardize, n_alphas=args.n_alphas,
                              alpha_min_ratio=args.alpha_min_ratio, random_state=args.seed,
                              tol=args.tol, max_iter=args.max_iter)
    if reason is not None:
        model.info["family_source"], model.info["family_reason"] = "note", reason
    model.info["source"] = source
    path = save(model, os.path.join(_made(out_dir), MODEL_FILE))
    _summary(model, source, path, stdout, args)
    return EXIT_OK


def _cmd_report(args, stdout, stderr):
    from .report import build_report

    penalty, l1_ratio = _penalty(args)
    frame, target, family, reason, source = _load_data(args)
    out_dir = _out_dir(args.out)
    command = " ".join([PROG] + [_quote(a) for a in args._argv])
    with _progress(args) as progress:
        report = build_report(frame, target, family=family, penalty=penalty,
                              l1_ratio=l1_ratio, cv=args.cv, selection=args.select,
                              impute=args.impute, drop=_drop_list(args.drop),
                              standardize=args.standardize, n_alphas=args.n_alphas,
                              alpha_min_ratio=args.alpha_min_ratio, random_state=args.seed,
                              n_rounds=args.rounds, title=args.title, source=source,
                              command=command, progress=progress, family_note=reason,
                              tol=args.tol, max_iter=args.max_iter)
        with progress.task("writing"):
            path = report.write(_made(out_dir))
    model_path = os.path.join(out_dir, MODEL_FILE)
    _summary(report.model, source, model_path, stdout, args, extra=[("report", path)])
    return EXIT_OK


def _quote(arg):
    import shlex

    return shlex.quote(arg)


def _cmd_predict(args, stdout, stderr):
    from .io import Model, load, read_table

    model_path = args.model
    if os.path.isdir(model_path):               # the --out DIR of `regularized fit`
        model_path = os.path.join(model_path, MODEL_FILE)
        if not os.path.isfile(model_path):
            raise ValueError(f"{args.model} is a directory without a {MODEL_FILE}; give "
                             "the model file that `regularized fit` wrote")
    model = load(model_path)
    if not isinstance(model, Model):
        raise ValueError(f"{model_path} holds a bare estimator without preprocessing; "
                         "predict it from Python (regularized.load)")
    frame = read_table(args.data)
    notes = []
    with _progress(args) as progress:
        with progress.task("predicting"):
            predictions = model.predict_frame(frame, notes=notes)
    _write_table(predictions, args.out, stdout)
    for note in notes:
        print(f"{PROG}: note: {note}", file=stderr)
    if args.out:
        print(f"{PROG}: wrote {len(predictions)} predictions to {args.out}", file=stderr)
    return EXIT_OK


def _cmd_path(args, stdout, stderr):
    from .io import (_LOSSES, _unique_warnings, grid_ratio, path_frame, penalty_l1_ratio,
                     prepare_table)
    from .path import path

    penalty, l1_ratio = _penalty(args)
    ratio = penalty_l1_ratio(penalty, l1_ratio)
    frame, target, family, reason, source = _load_data(args)
    prepared = prepare_table(frame, target, family=family, impute=args.impute,
                             drop=_drop_list(args.drop))
    amr = grid_ratio(prepared.family, ratio, prepared.X.shape, args.alpha_min_ratio)
    solver = {key: value for key, value in (("tol", args.tol), ("max_iter", args.max_iter))
              if value is not None}
    with _progress(args) as progress:
        with progress.task("fitting the path"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fit = path(prepared.design, prepared.y, loss=_LOSSES[prepared.family],
                           l1_ratio=ratio, n_alphas=args.n_alphas, alpha_min_ratio=amr,
                           standardize=args.standardize, **solver)
    table = path_frame(fit, prepared.feature_names, classes=fit.classes)
    _write_table(table, args.out, stdout)
    for note in prepared.notes:
        print(f"{PROG}: note: {note}", file=stderr)
    for text in _unique_warnings(caught):
        print(f"{PROG}: warning: {_in_cli_words(text)}", file=stderr)
    if prepared.family_reason:
        print(f"{PROG}: note: family {prepared.family} (inferred: {prepared.family_reason})",
              file=stderr)
    return EXIT_OK


def _cmd_datasets(args, stdout, stderr):
    from .datasets import list_datasets

    for name, description in list_datasets().items():
        print(f"{name:<18} {description}", file=stdout)
    return EXIT_OK


COMMANDS = {"fit": _cmd_fit, "report": _cmd_report, "predict": _cmd_predict,
            "path": _cmd_path, "datasets": _cmd_datasets}


def _one_line(exc):
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = f"missing {exc.args[0]!r}"
    if isinstance(exc, FileNotFoundError) and exc.filename and exc.filename not in text:
        text = f"{text}: {exc.filename}"
    return text or type(exc).__name__


def main(argv=None, *, stdout=None, stderr=None):
    """Run the ``regularized`` command with ``argv`` (default ``sys.argv[1:]``); returns the
    exit status. Errors are one line on stderr, never a traceback."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    argv = list(sys.argv[1:] if argv is None else argv)


    def show_warning(message, category, filename, lineno, file=None, line=None):
        text = _in_cli_words(" ".join(str(message).split()))
        print(f"{PROG}: warning: {text}", file=stderr)

    previous = warnings.showwarning
    warnings.showwarning = show_warning
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:                   # --help / --version
            return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
        if args.command is None:
            raise UsageError("give a command: " + ", ".join(COMMANDS))
        args._argv = argv
        return COMMANDS[args.command](args, stdout, stderr)
    except UsageError as exc:
        print(f"{PROG}: error: {_one_line(exc)} (see `{PROG} --help`)", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:                                         # pragma: no cover
        return EXIT_OK
    except (ValueError, OSError, KeyError, ImportError, MemoryError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks
        print(f"{PROG}: error: internal error ({type(exc).__name__}: {_one_line(exc)}); "
              "please report it", file=stderr)
        return EXIT_INTERNAL
    finally:
        warnings.showwarning = previous
