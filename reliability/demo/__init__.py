"""Deterministic demo data for the reliability warehouse.

`generate_demo` simulates a small company (the four services of `data/reliability.yml`) over a
number of full ISO weeks and writes the five landing datasets of the input contract
(deployments, changes, incidents, requests, conversions) in the formats a real installation
receives: CSV, gzipped JSON Lines, Parquet and nginx access logs.

Everything follows from one simulation, in this order: releases (deployments), incidents caused by
some of them (plus a few without a cause), hotfix / rollback deployments that fix incidents, the
changes each deployment shipped, request traffic whose 5xx rate and latency rise during incidents,
and journey conversions whose completion rate drops during incidents. Three scenarios are placed on
simulated deployments so a demo always has something to show: a long, severe checkout outage in the
final two weeks, a signup latency incident, and an incident still open at the end. A few
deliberately malformed records per dataset exercise the rejects path.

The output is a pure function of ``(weeks, end, seed, scale)``: each part of the simulation draws
from its own numpy ``default_rng`` stream, output is sorted, gzip members carry no time stamp or
file name, and Parquet is written by pyarrow without variable metadata. ``scale`` changes request
and conversion volumes only; deployments, changes and incidents are the same at every scale.
"""

from reliability.demo.generate import generate_demo
from reliability.demo.model import DATASETS, SERVICES, DemoSummary

__all__ = ["DATASETS", "SERVICES", "DemoSummary", "generate_demo"]
