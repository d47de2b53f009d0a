"""``spareplan backtest``: rolling-origin backtest of the demand models on a history file.

A plain function annotated for typer; the application registers it as a command and
maps :class:`spareplan.errors.InputError` to exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from spareplan.cli.common import start_command
from spareplan.demand.backtest import backtest
from spareplan.demand.history import prepare_history
from spareplan.errors import InputError
from spareplan.reports.atomic import atomic_folder, write_csv, write_json

__all__ = ["backtest_command"]


def _read_history(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: demand history file not found")
    try:
        return pd.read_csv(path, dtype={"period": str, "part": str, "site": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None


def backtest_command(
    history: Annotated[Path, typer.Argument(help="Demand history CSV: period, part, "
                                            "[site], quantity.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for backtest.csv "
                                      "and summary.json.")],
    period: Annotated[str, typer.Option(help="Period of the history: month, week or day.")]
    = "month",
    methods: Annotated[str, typer.Option(help="Comma-separated methods.")]
    = "croston,sba,tsb,poisson,bootstrap",
    target: Annotated[float, typer.Option(help="Target fill rate of the base-stock "
                                          "levels.")] = 0.95,
    lead_time: Annotated[int, typer.Option(help="Replenishment lead time in periods.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and the CIs.")] = 0,
) -> int:
    """Backtest the demand models on a history and write the figures.

    Writes ``backtest.csv`` (one row per method: MASE, bias, achieved fill rate with its
    95 % CI, average stock) and ``summary.json`` (the settings, the same rows and the
    recommended method) into ``out``, atomically: a staging folder beside ``out``
    replaces it only when complete (:func:`spareplan.reports.atomic.atomic_folder`).

    Returns
    -------
    int
        0 on success. Bad input raises :class:`spareplan.errors.InputError` (exit 2).
    """
    start_command(out=out, inputs=[history], seed=seed)
    frame = _read_history(Path(history))
    packed = prepare_history(frame, period=period, source=Path(history).name)
    result = backtest(
        packed,
        methods=[m.strip() for m in methods.split(",") if m.strip()],
        target_fill_rate=target,
        lead_time_periods=lead_time,
        seed=seed,
    )
    table = result.to_frame()
    summary = {
        "command": "backtest",
        "history": str(history),
        "period": period,
        "n_series": packed.n_series,
        "n_periods": packed.n_periods,
        "evaluated_periods": list(result.evaluated_periods),
        "target_fill_rate": target,
        "lead_time_periods": lead_time,
        "seed": seed,
        "recommended_method": result.recommended(),
        "methods": [
            {key: value for key, value in row.items()}
            for row in table.to_dict(orient="records")
        ],
    }

    with atomic_folder(out) as staging:
        write_csv(staging / "backtest.csv", table)
        write_json(staging / "summary.json", summary)
    return 0
