"""Planning: SLA rows over per-part columns, optimization, and the plan result."""

from spareplan.planning.model import PlanningModel
from spareplan.planning.plan import PlanResult, plan

__all__ = ["PlanResult", "PlanningModel", "plan"]
