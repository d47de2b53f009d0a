"""Early warning: shortage probabilities, alerts people can act on, supplier register.

Data flow: scenario + current state (+ plan) → :mod:`~spareplan.warning.inputs` →
:mod:`~spareplan.warning.projection` (probability of a shortage per part, location and
week) → :mod:`~spareplan.warning.alerts` (levels, with
:mod:`~spareplan.warning.countermeasures`) → :mod:`~spareplan.warning.state` (history,
acknowledgements) → :mod:`~spareplan.warning.notices`; :mod:`~spareplan.warning.register`
checks the suppliers; :mod:`~spareplan.warning.backtest` judges the alerts against
sample paths (:mod:`~spareplan.warning.paths`).
"""

from spareplan.warning.alerts import AlertLevel, AlertStatus, probability_words
from spareplan.warning.early_warning import WarningResult, warn
from spareplan.warning.pab import projected_available_balance
from spareplan.warning.projection import Projection, ProjectionInput, project
from spareplan.warning.register import register_findings
from spareplan.warning.state import acknowledge, read_acks, read_history

__all__ = ["AlertLevel", "AlertStatus", "Projection", "ProjectionInput", "WarningResult",
           "acknowledge", "probability_words", "project", "projected_available_balance",
           "read_acks", "read_history", "register_findings", "warn"]
