"""Early warning: projected available balance, shortage alerts, supplier-continuity register.

Data flow: scenario + current state (+ plan) → :mod:`~spareplan.warning.inputs` →
:mod:`~spareplan.warning.pab` → :mod:`~spareplan.warning.alerts` (with
:mod:`~spareplan.warning.countermeasures`) → :mod:`~spareplan.warning.state` (history) →
:mod:`~spareplan.warning.notices`; :mod:`~spareplan.warning.register` checks the suppliers.
"""

from spareplan.warning.alerts import AlertLevel, AlertStatus
from spareplan.warning.early_warning import WarningResult, warn
from spareplan.warning.pab import projected_available_balance
from spareplan.warning.register import register_findings
from spareplan.warning.state import read_history

__all__ = ["AlertLevel", "AlertStatus", "WarningResult", "projected_available_balance",
           "read_history", "register_findings", "warn"]
