"""The HTML report: self-contained, complete, and rendered by headless Chromium without errors.

The browser test drives Debian's ``chromium`` (installed by the project's test set-up) over
the DevTools protocol on a pipe (``--remote-debugging-pipe``: no port, no network), loads
``report.html`` from a file URL and checks that the page rendered, is not blank, that every
picture loaded and that nothing was logged as an error. Without a Chromium binary the test
is skipped, unless ``REGULARIZED_REQUIRE_CHROMIUM=1`` makes that a failure.
"""
import base64
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
CHURN = os.path.join(HERE, "data", "churn.csv")
SECTIONS = ["The chosen model", "Regularization path", "Cross-validation", "Bias and variance",
            "Sparsity: L1, elastic net and L2", "L1 vs elastic net vs L2 on the same data",
            "Data and preprocessing"]
N_FIGURES = 6


def check_self_contained(page):
    """Every picture inline, nothing fetched from anywhere, every section present."""
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", "<iframe", "url(", "@import", "http://", "https://"):
        assert forbidden not in page
    sources = re.findall(r'<img src="([^"]*)"', page)
    assert len(sources) == N_FIGURES
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page


# ---------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------
def test_build_report_binomial_with_categories(tmp_path):
    from regularized import io as rio
    from regularized.report import build_report

    frame = rio.read_table(CHURN)
    frame.loc[[1, 2], "plan"] = None
    report = build_report(frame, "churned", penalty="elasticnet", l1_ratio=0.8, cv=3,
                          impute="mean", n_alphas=10, n_rounds=3, source="churn.csv")
    check_self_contained(report.html)
    assert [row["penalty"] for row in report.comparison] == ["elasticnet", "l1", "l2"]
    assert report.comparison[0]["l1_ratio"] == 0.8
    assert all(row["scoring"] == "deviance" for row in report.comparison)
    assert report.bias_variance.response == "probability"
    assert "plan=basic" in report.html and "binomial deviance" in report.html
    assert any("most frequent level" in note for note in report.notes)
    assert "one-hot, 3 levels (basic, enterprise, pro)" in report.html
    path = report.write(tmp_path / "out")
    assert open(path, encoding="utf-8").read() == report.html
    assert isinstance(rio.load(tmp_path / "out" / "model.npz"), rio.Model)


def _sparse_frame(n, p, seed=3):
    """A wide table whose target depends on its first five columns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -1.0]) + rng.standard_normal(n)
    return pd.DataFrame(X, columns=[f"g{j:03d}" for j in range(p)]).assign(y=y)


def _coef_rows(page):
    """The first column of the chosen model's coefficient table, row by row."""
    chosen = page.split("<h2>The chosen model</h2>")[1].split("<h2>")[0]
    return chosen, re.findall(r'<tr(?: class="(\w*)")?><td class="name">([^<]*)</td>', chosen)


def test_wide_lasso_report_lists_only_the_non_zero_coefficients():
    """A lasso keeping a few of 400 features: the coefficient table lists the non-zero ones,
    largest |coefficient × s.d.| first, and says how many features are zero and not listed
    (it listed every feature: 2003 rows, 146 KB, for a lasso on 2000 features)."""
    from regularized.report import build_report

    p = 400
    report = build_report(_sparse_frame(120, p), "y", penalty="l1", cv=3, n_alphas=20,
                          n_rounds=2)
    selected = report.model.selected_features()
    assert 0 < len(selected) < p // 4
    chosen, rows = _coef_rows(report.html)
    assert [name for _, name in rows] == ["(intercept)"] + selected
    assert f"{p - len(selected)} of the {p} features have coefficient 0 (removed by the " \
           "penalty) and are not listed" in chosen
    assert f"Listed: the {len(selected)} non-zero coefficients" in chosen


def test_coefficient_table_of_few_features_lists_the_zeros_greyed():
    """Up to COEF_TABLE_ALL features every one is listed, zeros greyed and counted; beyond
    COEF_TABLE_MAX_ROWS non-zero coefficients the largest are listed, the rest counted."""
    from regularized import io as rio
    from regularized import report as rr

    frame = _sparse_frame(60, 12, seed=4)
    model = rio.fit_table(frame, "y", penalty="l1", cv=3, n_alphas=20)
    n_zero = 12 - len(model.selected_features())
    assert n_zero > 0
    chosen, rows = _coef_rows(f"<h2>The chosen model</h2>{rr._coef_table(model)}")
    assert len(rows) == 13 and [cls for cls, _ in rows].count("zero") == n_zero
    assert f"{n_zero} of the 12 features have coefficient 0 (greyed)" in chosen
    wide = rio.fit_table(_sparse_frame(100, rr.COEF_TABLE_MAX_ROWS + 50, seed=5), "y",
                         penalty="l2", cv=3, n_alphas=10)
    chosen, rows = _coef_rows(f"<h2>The chosen model</h2>{rr._coef_table(wide)}")
    assert len(rows) == rr.COEF_TABLE_MAX_ROWS + 1
    assert [name for _, name in rows[1:]] == wide.selected_features()[:rr.COEF_TABLE_MAX_ROWS]
    assert (f"Listed: the {rr.COEF_TABLE_MAX_ROWS} largest of the "
            f"{rr.COEF_TABLE_MAX_ROWS + 50} non-zero coefficients") in chosen


def test_columns_table_of_a_wide_table_gives_the_plain_numeric_columns_one_row():
    """Beyond LIST_ALL_UP_TO columns the numeric columns kept share one row; categorical and
    dropped columns keep theirs (it was one row per column: 240 KB for 2000 columns). Up to
    LIST_ALL_UP_TO every column has its row."""
    from regularized import io as rio
    from regularized import report as rr

    frame = _sparse_frame(50, 40)
    frame["plan"] = np.where(np.arange(50) % 3 == 0, "basic", "pro")
    frame["constant"] = 1.0
    frame.loc[[1, 2], "g007"] = np.nan
    pre = rio.prepare_table(frame, "y", impute="mean").preprocessor
    table = rr._columns_table(pre)
    names = re.findall(r'<tr><td class="name">([^<]*)</td>', table)
    assert sorted(names) == ["40 numeric columns (g000, g001, g002, g003, g004, g005, …)",
                             "constant", "plan"]
    assert "<td class=\"name\">each column&#x27;s mean</td>" in table
    small = rio.prepare_table(_sparse_frame(50, rr.LIST_ALL_UP_TO - 1), "y").preprocessor
    names = re.findall(r'<tr><td class="name">([^<]*)</td>', rr._columns_table(small))
    assert names == [f"g{j:03d}" for j in range(rr.LIST_ALL_UP_TO - 1)]


# ---------------------------------------------------------------------------------------
# headless Chromium over the DevTools protocol (pipe transport)
# ---------------------------------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]
PAGE_PROBE = ("JSON.stringify({images: Array.from(document.images).map(i => "
              "[i.complete, i.naturalWidth, i.naturalHeight]), "
              "text: document.body ? document.body.innerText.length : 0, "
              "height: document.documentElement.scrollHeight, title: document.title})")


def chromium_binary():
    for name in (os.environ.get("REGULARIZED_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Chromium:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (fds 3 and 4)."""

    def __init__(self, binary, timeout=90):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="regularized-chromium-")
        to_child, self._write = os.pipe()
        self._read_fd, from_child = os.pipe()
        # The browser reads commands on fd 3 and writes answers on fd 4; move the pipe ends
        # there through high numbers so no redirection clobbers another.
        shell = (f"exec 100<&{to_child} 101>&{from_child}; exec 3<&100 4>&101 100<&- 101>&-; "
                 f'exec "$0" "$@"')
        self.proc = subprocess.Popen(
            ["bash", "-c", shell, binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
             "about:blank"], pass_fds=(to_child, from_child), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0
        self.events = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, method, params=None, session=None):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        wanted = self._id
        return self._wait(lambda m: m.get("id") == wanted)

    def _next(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if ready:
                chunk = os.read(self._read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium exited: "
                                       + self.proc.stderr.read().decode(errors="replace")[-800:])
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _wait(self, match):
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._next(deadline)
            if match(message):
                if "error" in message:
                    raise RuntimeError(f"DevTools error: {message['error']}")
                return message.get("result", message.get("params"))
            self.events.append(message)

    def wait_event(self, method, session):
        for k, message in enumerate(self.events):
            if message.get("method") == method and message.get("sessionId") == session:
                del self.events[k]
                return message["params"]
        return self._wait(lambda m: m.get("method") == method and m.get("sessionId") == session)

    def open(self, url, width=1200, height=900):
        """Load ``url`` in a new tab: (page facts, screenshot PNG bytes, error messages)."""
        self.events = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        probe = self.send("Runtime.evaluate", {"expression": PAGE_PROBE, "returnByValue": True},
                          session=session)
        facts = json.loads(probe["result"]["value"])
        shot = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"},
                                          session=session)["data"])
        errors = []
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                               "assert"):
                errors.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                errors.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"log: {params['entry'].get('text')}")
        self.send("Target.closeTarget", {"targetId": target})
        return facts, shot, errors

    def close(self):
        try:
            os.write(self._write, json.dumps({"id": 10 ** 9, "method": "Browser.close"}).encode()
                     + b"\0")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read_fd)
        self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def blank_fraction(png):
    """Share of the screenshot's pixels that are (near) the page background."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    background = np.median(pixels.reshape(-1, 3), axis=0)
    return float(np.mean(np.all(np.abs(pixels - background) < 8, axis=2))), \
        len(np.unique(pixels.reshape(-1, 3), axis=0))


def test_main_job_writes_a_report_that_renders_in_headless_chromium(tmp_path):
    """The README's main job (fewer bias-variance rounds), as a real command; then the page
    in a real browser. (One test: the report is built once, whatever the xdist layout.)"""
    out = tmp_path / "report"
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = SRC + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    result = subprocess.run([sys.executable, "-m", "regularized", "report", "--dataset",
                             "diabetes", "--rounds", "10", "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"report      {out / 'report.html'}" in result.stdout
    assert "family      gaussian (the diabetes dataset's family)" in result.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    check_self_contained(page)
    assert "dataset &#x27;diabetes&#x27;: 442 rows × 11 columns" in page
    for penalty in ("L1 (lasso)", "elastic net (l1_ratio=0.5)", "L2 (ridge)"):
        assert f'<td class="name">{penalty}</td>' in page
    assert "regularized report --dataset diabetes --rounds 10" in page
    from regularized import io as rio

    model = rio.load(out / "model.npz")
    for name in model.feature_names:
        assert f'<td class="name">{name}</td>' in page

    binary = chromium_binary()
    if binary is None:
        if os.environ.get("REGULARIZED_REQUIRE_CHROMIUM") == "1":
            pytest.fail("no Chromium found (apt-get install chromium)")
        pytest.skip("the report was checked, but not in a browser: no Chromium binary "
                    "(Debian: apt-get install chromium)")
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html><body><p>x</p><img src="missing.png">'
                      '<script>console.error("boom")</script></body></html>')
    with Chromium(binary) as browser:
        facts, shot, errors = browser.open((out / "report.html").as_uri())
        # the probe itself tells a broken page apart (a control, in the same browser)
        bad_facts, _, bad_errors = browser.open(broken.as_uri())
    assert errors == []
    assert facts["title"].startswith("Regularized gaussian model")
    assert len(facts["images"]) == N_FIGURES
    assert all(complete and width > 100 and height > 100
               for complete, width, height in facts["images"]), facts["images"]
    assert facts["text"] > 1500 and facts["height"] > 3000
    blank, colours = blank_fraction(shot)
    assert blank < 0.97 and colours > 50
    assert bad_facts["images"][0][1] == 0 and len(bad_errors) >= 2
