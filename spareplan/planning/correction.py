"""Per part and site corrections of the analytic service terms, fitted by the simulation.

The analytic model (METRIC-type pipelines, Erlang loss, independence of stock-outs along
the chain) is fast and exact to optimize over, but the simulation refutes it where
stock-outs are correlated: on the demo the analytic model puts the gold sites' excess
waiting at 2,744 h a year at its optimum, the simulation at 5,355 h (x 1.95; per part the
ratio runs from 1 to 20). A :class:`ServiceCorrection` rescales, per part p and site s,

- the analytic miss probability: within'_ps(S) = 1 - m_ps (1 - within_ps(S));
- the analytic excess wait over the primary's response r_s:
  wait'_ps(S) = r_s + w_ps (wait_ps(S) - r_s),

with factors m, w >= 0 measured by the simulation (:mod:`spareplan.planning.feed`).
Both are affine in the analytic terms, so a part's Lagrangian value under corrected terms
is the uncorrected one with the site prices scaled by m and w, plus a constant: the exact
tree-DP pricer stays exact and column generation's Lagrangian bound is a bound of the
corrected model (:meth:`ServiceCorrection.scale_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ServiceCorrection"]


@dataclass(frozen=True, eq=False)
class ServiceCorrection:
    """Factors on the analytic miss probability and excess wait, per part and site.

    Attributes
    ----------
    miss, wait : float64 (P, N)
        m_ps and w_ps of the module docstring (1: the analytic term as it is).
    response_hours : float64 (N,)
        r_s, the primary location's response to site s (the wait with stock on hand).
    label : str
        What the factors were measured on, for the plan's account.
    """

    miss: np.ndarray
    wait: np.ndarray
    response_hours: np.ndarray
    label: str = ""

    @classmethod
    def none(cls, n_parts: int, response_hours: np.ndarray) -> ServiceCorrection:
        """No correction: every factor 1."""
        n_sites = int(np.asarray(response_hours).shape[0])
        return cls(np.ones((n_parts, n_sites)), np.ones((n_parts, n_sites)),
                   np.asarray(response_hours, dtype=np.float64), "none")

    def apply(self, parts: np.ndarray, within: np.ndarray, wait: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """Corrected ``within`` and ``wait`` (K, N) of columns of ``parts`` (K,)."""
        parts = np.asarray(parts, dtype=np.int64)
        r = self.response_hours[None, :]
        corrected_within = 1.0 - self.miss[parts] * (1.0 - within)
        corrected_wait = r + self.wait[parts] * (wait - r)
        return corrected_within, corrected_wait

    def scale_weights(self, parts: np.ndarray, weight_within: np.ndarray,
                      weight_wait: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Site prices of the analytic terms that price the corrected ones (see the module
        docstring): -w (1 - m (1 - x)) = m w x + const, v (r + w' (t - r)) = w' v t + const."""
        parts = np.asarray(parts, dtype=np.int64)
        return (np.ascontiguousarray(weight_within * self.miss[parts]),
                np.ascontiguousarray(weight_wait * self.wait[parts]))
