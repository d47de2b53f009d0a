"""report.html beside every plan and `spareplan report DIR`: content, explanations,
determinism, refusal of bad folders, and the page in headless Chromium (skipped without
it)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from spareplan import load_scenario
from spareplan.reports.explain import explain_plan
from spareplan.reports.stock_moves import stock_moves

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"
DEMO = ROOT / "scenarios" / "demo"
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                 if os.access(p, os.X_OK)), None)
#: Hosts Chromium itself calls at start-up (time sync, accounts): not the page's requests.
BROWSER_HOSTS = ("google.com", "gvt1.com", "googleapis.com", "gstatic.com")
#: Folder where the screenshot is kept (the CI may point it at its artifacts folder).
ARTIFACTS = os.environ.get("SPAREPLAN_TEST_ARTIFACTS")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spareplan", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "plan"
    done = run("plan", str(TINY), "--out", str(out), "--replications", "4", "--years", "2")
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        pytest.skip("headless Chromium not found (/usr/bin/chromium: Debian package "
                    "'chromium'); the browser check of report.html needs it")
    out = tmp_path_factory.mktemp("demo") / "plan"
    done = run("plan", str(DEMO), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


# ---------------------------------------------------------------------- the files

def test_plan_writes_report_and_what_it_is_built_from(tiny_plan: Path) -> None:
    names = set(listing(tiny_plan))
    assert {"report.html", "explanations.csv", "kpis_parts.csv", "kpis_locations.csv",
            "plan_context.json", "service.png", "buy_list.csv", "redeployments.csv",
            "excess.csv", "recommendations.csv", "service.csv",
            "summary.json"} <= names
    marker = json.loads((tiny_plan / ".spareplan-output").read_text())
    assert "report.html" in marker["files"] and marker["command"] == "plan"
    page = (tiny_plan / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for outside in ("<script", "<link", "<iframe", "<img", "src=", "@import"):
        assert outside not in page, outside
    assert not re.search(r"url\((?!#)", page)  # only the SVG's own clip paths
    assert not re.search(r"href=\"(?!#)", page)
    summary = json.loads((tiny_plan / "summary.json").read_text())
    assert f"{summary['objective']:,.0f} EUR/yr" in page
    for row in pd.read_csv(tiny_plan / "service.csv")["sla_row"]:
        assert row in page
    assert 'id="buy-list"' in page and 'id="redeployment-list"' in page
    assert 'id="excess-list"' in page and 'id="explanations-stocked"' in page


def test_report_dir_rebuilds_the_same_bytes_and_touches_nothing_else(
        tiny_plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(tiny_plan, folder)
    before = listing(folder)
    (folder / "report.html").unlink()
    done = run("report", str(folder))
    assert done.returncode == 0, done.stderr
    assert listing(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]
    assert ".spareplan-output" in before
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no temporary file


def test_report_of_an_older_plan_folder_without_the_report_files(tiny_plan: Path,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(tiny_plan, folder)
    for name in ("report.html", "explanations.csv", "kpis_parts.csv", "kpis_locations.csv",
                 "plan_context.json", "buy_list.csv", "redeployments.csv", "excess.csv"):
        (folder / name).unlink()
    done = run("report", str(folder))
    assert done.returncode == 0, done.stderr
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "explanations.csv is not in this plan folder" in page
    assert 'id="buy-list"' in page


def test_same_plan_gives_the_same_report_bytes(tiny_plan: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = run("plan", str(TINY), "--out", str(again), "--replications", "4", "--years", "2")
    assert done.returncode == 0, done.stderr
    for name in ("report.html", "explanations.csv", "kpis_parts.csv", "kpis_locations.csv",
                 "plan_context.json", "buy_list.csv", "redeployments.csv", "excess.csv",
                 "service.png"):
        assert (tiny_plan / name).read_bytes() == (again / name).read_bytes(), name


def test_every_recommended_unit_has_an_explanation_naming_a_row_and_a_value(
        tiny_plan: Path) -> None:
    recommendations = pd.read_csv(tiny_plan / "recommendations.csv")
    explanations = pd.read_csv(tiny_plan / "explanations.csv", keep_default_na=False)
    rows = set(pd.read_csv(tiny_plan / "service.csv")["sla_row"])
    stocked = recommendations[recommendations["stock"] > 0]
    explained = explanations[explanations["kind"] == "stocked"].set_index(
        ["part", "location"])
    assert len(explained) == len(stocked)
    for line in stocked.itertuples():
        why = explained.loc[(line.part, line.location)]
        assert why["sla_row"] in rows
        assert why["sla_row"] in why["explanation"]
        assert math.isfinite(float(why["value_per_year"]))
        assert math.isfinite(float(why["cost_per_year"]))
        assert "EUR/yr" in why["explanation"]


def test_every_part_stocked_nowhere_gets_a_why() -> None:
    """Tiny's plan stocks both parts: take the pump out of a plan and ask why."""
    scenario = load_scenario(TINY)
    plan = pd.DataFrame({"part": ["P-FUSE", "P-FUSE", "P-FUSE"],
                         "location": ["CW", "F1", "F2"], "stock": [2, 2, 2]})
    explanation = explain_plan(scenario, plan)
    frame = explanation.frame
    zero = frame[frame["kind"] == "zero stock"]
    assert list(zero["part"]) == ["P-PUMP"]
    why = zero.iloc[0]
    assert why["explanation"].startswith("stocked nowhere")
    assert why["sla_row"] in {r for r in explanation.shadow_prices}
    assert why["location"] in {"CW", "F1", "F2"}
    assert "EUR/yr" in why["explanation"] and why["sla_row"] in why["explanation"]
    assert (frame["kind"] == "stocked").sum() == 3
    assert all(price >= 0 for price in explanation.shadow_prices.values())


def test_redeployment_moves_surplus_to_a_sibling_first() -> None:
    frame = pd.DataFrame({
        "part": ["P", "P", "P", "P"], "location": ["A1", "A2", "B1", "CW"],
        "stock": [3, 0, 0, 1], "current_stock": [0, 2, 2, 0],
        "unit_cost": [5.0] * 4})
    parent = {"A1": "A", "A2": "A", "B1": "B", "CW": ""}
    moves = stock_moves(frame, parent)
    assert moves.redeployments[["from_location", "to_location", "units"]].values.tolist() \
        == [["A2", "A1", 2], ["B1", "A1", 1], ["B1", "CW", 1]]
    assert moves.buys.empty and moves.excess.empty
    more = frame.assign(stock=[5, 0, 0, 1])
    moves = stock_moves(more, parent)
    assert moves.buys[["location", "units", "cost"]].values.tolist() == [["A1", 1, 5.0],
                                                                     ["CW", 1, 5.0]]


# ---------------------------------------------------------------------- bad input

def test_report_refuses_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    done = run("report", str(folder))
    assert done.returncode == 2
    assert ".spareplan-output" in done.stderr and "spareplan plan" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert listing(folder) == {"notes.txt": b"mine\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]
    missing = run("report", str(tmp_path / "absent"))
    assert missing.returncode == 2 and "must be an existing plan folder" in missing.stderr
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize(("file", "edit", "message"), [
    ("summary.json", lambda t: t.replace('"objective": ', '"objective": "a lot", "x": '),
     "summary.json: field objective: must be a number (received 'a lot')"),
    ("recommendations.csv", lambda t: t.replace("\n", "\nX,CW,-1,0,0,1,1\n", 1),
     "recommendations.csv: row 2, column stock: must be an integer >= 0 (received '-1')"),
    ("service.csv", lambda t: t.replace("sla_row", "row", 1),
     "service.csv: column sla_row: is missing"),
])
def test_report_names_the_file_field_and_value_of_a_bad_plan_file(
        tiny_plan: Path, tmp_path: Path, file: str, edit: object, message: str) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(tiny_plan, folder)
    path = folder / file
    path.write_text(edit(path.read_text()))  # type: ignore[operator]
    before = listing(folder)
    done = run("report", str(folder))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert listing(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# ---------------------------------------------------------------------- the browser

class _Visible(HTMLParser):
    """Text outside a closed ``<details>`` (what a reader sees without a click), and the
    summaries (always visible)."""

    def __init__(self) -> None:
        super().__init__()
        self.closed_depth = 0
        self.stack: list[bool] = []
        self.summary = 0
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            closed = "open" not in dict(attrs)
            self.stack.append(closed)
            self.closed_depth += closed
        elif tag == "summary":
            self.summary += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.stack:
            self.closed_depth -= self.stack.pop()
        elif tag == "summary":
            self.summary -= 1

    def handle_data(self, data: str) -> None:
        if self.closed_depth == 0 or self.summary:
            self.visible.append(data)


def _chromium(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--enable-logging=stderr",
         "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND", *extra, page.as_uri()],
        capture_output=True, text=True, check=False, timeout=300)


def _page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for (Chromium's own service calls left out)."""
    text = net_log.read_text(encoding="utf-8", errors="replace")
    urls = set()
    for chunk in text.split('"url":"')[1:]:
        url = chunk.split('"', 1)[0]
        host = url.split("/")[2] if "://" in url else ""
        if url.startswith("file:") or url.startswith("data:"):
            continue
        if any(host == h or host.endswith("." + h) for h in BROWSER_HOSTS):
            continue
        urls.add(url)
    return sorted(urls)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _load(page: Path, tmp_path: Path) -> tuple[str, list[str], list[str]]:
    net_log = tmp_path / f"{page.stem}-net.json"
    done = _chromium(page, "--dump-dom", f"--log-net-log={net_log}")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, _page_requests(net_log), _console(done.stderr)


def test_the_browser_check_catches_a_request_and_a_console_error(tmp_path: Path) -> None:
    """The harness itself: a page that fetches an image and logs an error is caught."""
    if CHROMIUM is None:
        pytest.skip("headless Chromium not found (/usr/bin/chromium: Debian package "
                    "'chromium')")
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">'
                   '<script>console.error("boom")</script></body></html>')
    _, requests, console = _load(bad, tmp_path)
    assert "http://example.invalid/x.png" in requests
    assert any("boom" in line for line in console)


def test_demo_report_in_headless_chromium(demo_plan: Path, tmp_path: Path) -> None:
    page = demo_plan / "report.html"
    dom, requests, console = _load(page, tmp_path)
    assert requests == []
    assert console == []
    parser = _Visible()
    parser.feed(dom)
    visible = " ".join(" ".join(parser.visible).split())
    summary = json.loads((demo_plan / "summary.json").read_text())
    assert "Headline" in visible and "Yearly cost" in visible
    assert f"{summary['objective']:,.0f} EUR/yr" in visible
    for row in pd.read_csv(demo_plan / "service.csv")["sla_row"]:
        assert f"{row}: " in visible, row  # its verdict chip
    assert "Buy list:" in visible
    first_buy = pd.read_csv(demo_plan / "recommendations.csv").query("delta > 0")
    assert not first_buy.empty
    assert "units to buy" in visible
    assert "the last unit adds" in visible and "shadow prices" in visible
    screenshot = Path(ARTIFACTS) if ARTIFACTS else tmp_path
    screenshot.mkdir(parents=True, exist_ok=True)
    target = screenshot / "report-demo.png"
    shot = _chromium(page, "--hide-scrollbars", "--window-size=1280,4000",
                     f"--screenshot={target}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert target.stat().st_size > 10_000
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
