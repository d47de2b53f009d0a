"""The files of ``spareplan plan``: recommendations.csv, service.csv, summary.json, the
report (report.html, service.png) and what it is made of: explanations.csv,
kpis_parts.csv, kpis_locations.csv, plan_context.json, and the lists buy_list.csv,
redeployments.csv and excess.csv (:mod:`spareplan.reports.stock_moves`)."""

from __future__ import annotations

from pathlib import Path

from spareplan.planning.plan import PlanResult
from spareplan.reports.atomic import atomic_folder, csv_text, json_text, write_csv, write_json
from spareplan.reports.explain import explain_plan
from spareplan.reports.html_report import render_report
from spareplan.reports.kpis import plan_context, plan_kpis
from spareplan.reports.plan_folder import PlanFiles, read_plan_files
from spareplan.reports.report_plots import save_service_png
from spareplan.reports.report_rebuild import REPORT_FILE
from spareplan.reports.stock_moves import stock_moves
from spareplan.result_columns import SERVICE_COLUMNS, ordered
from spareplan.scenario.model import Scenario


def write_plan(result: PlanResult, out: str | Path, *, plots: bool = True,
               scenario: Scenario | None = None) -> Path:
    """Write a plan's outputs into ``out`` atomically; returns the folder.

    With ``scenario`` (the scenario planned) the explanations and KPIs are computed and
    written too; ``report.html`` is rendered from the files written (so that
    ``spareplan report`` rebuilds the same bytes) when ``plots`` is true.
    """
    out = Path(out)
    with atomic_folder(out) as staging:
        write_csv(staging / "recommendations.csv", result.recommendations)
        service = result.service[ordered(result.service.columns, SERVICE_COLUMNS)]
        write_csv(staging / "service.csv", service)
        write_json(staging / "summary.json", result.summary.to_dict())
        if scenario is not None:
            write_report_inputs(result, scenario, staging)
        if plots:
            if len(service):
                save_service_png(service, staging / "service.png")
            write_report(staging)
    return out


def plan_files(result: PlanResult, name: str = "") -> PlanFiles:
    """The plan files of ``result`` in memory: what :func:`write_plan` would write
    (recommendations.csv, service.csv, summary.json and, when the result knows its
    scenario, plan_context.json), read back by the plan folder's reader
    (:func:`~spareplan.reports.plan_folder.read_plan_files`) without touching the disk,
    so that a comparison of a result and of its folder give the same figures.

    ``name`` is its ``folder`` (``Path(name)``; empty by default: no folder). Explanations
    and KPIs are not computed (``None``), nor the shadow prices of plan_context.json.
    """
    service = result.service[ordered(result.service.columns, SERVICE_COLUMNS)]
    texts = {"recommendations.csv": csv_text(result.recommendations),
             "service.csv": csv_text(service),
             "summary.json": json_text(result.summary.to_dict())}
    if result.scenario is not None:
        texts["plan_context.json"] = json_text(plan_context(result.scenario,
                                                            result.verification))
    return read_plan_files(Path(name), texts)


def write_report_inputs(result: PlanResult, scenario: Scenario, folder: Path) -> None:
    """What the report needs beside the plan's tables, computed now so that the report
    can be rebuilt from the folder: explanations and KPIs."""
    explanation = explain_plan(scenario, result.recommendations,
                               shadow_prices=result.shadow_prices)
    write_csv(folder / "explanations.csv", explanation.frame)
    parts, locations = plan_kpis(scenario, result.recommendations, result.verification)
    write_csv(folder / "kpis_parts.csv", parts)
    write_csv(folder / "kpis_locations.csv", locations)
    context = plan_context(scenario, result.verification)
    context["shadow_prices"] = explanation.shadow_prices
    context["shadow_price_source"] = explanation.price_source
    write_json(folder / "plan_context.json", context)
    parent = dict(zip(locations["location"], locations["parent"], strict=True))
    moves = stock_moves(result.recommendations, parent)
    write_csv(folder / "buy_list.csv", moves.buys)
    write_csv(folder / "redeployments.csv", moves.redeployments)
    write_csv(folder / "excess.csv", moves.excess)


def write_report(folder: Path) -> None:
    """Render ``report.html`` in ``folder`` from the plan files in it."""
    text = render_report(read_plan_files(folder))
    (folder / REPORT_FILE).write_text(text, encoding="utf-8")
