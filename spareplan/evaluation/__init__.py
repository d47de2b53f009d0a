"""Analytic service evaluation (Palm, METRIC, Erlang loss, time-window fill rates)."""
