"""Which LP's duals the explanations' shadow prices are (``shadow_price_source`` in
``plan_context.json``; :mod:`spareplan.reports.explain` says how each is computed).

A small module of its own so that the report (:mod:`spareplan.reports.html_report`) names
the source without importing the planning model.
"""

from __future__ import annotations

__all__ = ["MASTER_LP", "NEIGHBOURHOOD_LP", "PRICE_SOURCES", "price_source_words"]

#: The optimizer's own last master LP (column generation), passed in by the planner.
MASTER_LP = "master_lp"
#: The LP of the plan's neighbourhood, solved when the explanations are written.
NEIGHBOURHOOD_LP = "neighbourhood_lp"
#: What each source's duals are, in a few words (the report's note).
PRICE_SOURCES = {
    MASTER_LP: "the duals of the optimizer's own LP relaxation of the model it optimized: "
               "what one more unit of each row's service costs at the margin",
    NEIGHBOURHOOD_LP: "the duals of the plan's LP neighbourhood: what one more unit of "
                      "each row's service costs at the margin",
}


def price_source_words(source: object) -> str:
    """The words of ``source``; a folder written before the source was recorded priced
    the neighbourhood."""
    return PRICE_SOURCES.get(str(source), PRICE_SOURCES[NEIGHBOURHOOD_LP])
