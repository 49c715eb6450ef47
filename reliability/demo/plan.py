"""The plan: releases (deployments), incidents and the deployments that fix them, and the
changes each deployment shipped."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from reliability.demo.model import (
    _LEAD_TIME_GROWTH,
    _SERVICE,
    SERVICES,
    _Change,
    _Deploy,
    _Incident,
    _minutes,
    _Service,
    _sha,
)

# --------------------------------------------------------------------------------------------
# Deployments
# --------------------------------------------------------------------------------------------


def _plan_releases(rng: np.random.Generator, t0: datetime, t1: datetime) -> list[_Deploy]:
    """Releases on working hours of working days (rarely at weekends), with staging and retries."""
    deploys: list[_Deploy] = []
    for day in range((t1 - t0).days):
        d0 = t0 + timedelta(days=day)
        factor = 1.0 if d0.weekday() < 5 else 0.05
        for svc in SERVICES:
            for _ in range(_deploy_count(rng, svc.deploys_per_workday * factor)):
                finished = d0 + timedelta(seconds=int(rng.integers(8 * 3600, 18 * 3600)))
                deploys += _release(rng, svc, finished)
    return deploys


def _deploy_count(rng: np.random.Generator, mean: float) -> int:
    """Deployments in one day: binomial, steadier than Poisson (teams keep a cadence)."""
    trials = max(1, round(2 * mean))
    return int(rng.binomial(trials, min(1.0, mean / trials)))


def _release(rng: np.random.Generator, svc: _Service, finished: datetime) -> list[_Deploy]:
    """One commit going out: maybe via staging, maybe failing (and maybe retried)."""
    sha = _sha(rng)
    out: list[_Deploy] = []

    def make(env: str, status: str, when: datetime) -> _Deploy:
        started = None if rng.random() < 0.1 else when - _minutes(rng, 1.5, 15)
        return _Deploy(svc.name, env, status, when, started, sha)

    if rng.random() < 0.35:
        status = "failure" if rng.random() < 0.05 else "success"
        out.append(make("staging", status, finished - _minutes(rng, 20, 90)))
    if rng.random() < 0.07:
        out.append(make(svc.prod_env, "failure", finished))
        if rng.random() < 0.7:
            out.append(make(svc.prod_env, "success", finished + _minutes(rng, 10, 40)))
    else:
        out.append(make(svc.prod_env, "success", finished))
        if rng.random() < 0.02:
            out[-1].dtype = "hotfix"
    return out


def _counted(deploys: list[_Deploy], service: str | None = None) -> list[_Deploy]:
    """Successful production deployments, by finish time."""
    prod = {s.prod_env for s in SERVICES}
    return sorted(
        (
            d
            for d in deploys
            if d.status == "success"
            and d.environment in prod
            and (service is None or d.service == service)
        ),
        key=lambda d: (d.finished, d.service),
    )


# --------------------------------------------------------------------------------------------
# Incidents
# --------------------------------------------------------------------------------------------


class _Planner:
    """Places incidents without overlaps on the same service."""

    def __init__(
        self, rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
    ) -> None:
        self.rng, self.deploys, self.t0, self.t1 = rng, deploys, t0, t1
        self.incidents: list[_Incident] = []

    def free(self, service: str, lo: datetime, hi: datetime) -> bool:
        margin = timedelta(hours=1)
        return all(
            inc.service != service
            or hi + margin <= inc.start
            or lo >= (inc.resolved or self.t1) + margin
            for inc in self.incidents
        )

    def next_gap(self, dep: _Deploy) -> timedelta:
        later = [
            d.finished for d in _counted(self.deploys, dep.service) if d.finished > dep.finished
        ]
        return (min(later) if later else self.t1) - dep.finished

    def caused(
        self,
        dep: _Deploy,
        kind: str,
        rate: float,
        factor: float,
        duration: timedelta,
        link: str,
        max_delay_h: float = 8.0,
    ) -> _Incident | None:
        """An incident that starts after `dep` and before the service's next deployment."""
        gap = self.next_gap(dep)
        room = min(gap, timedelta(hours=max_delay_h)) - timedelta(minutes=5)
        if room > timedelta(minutes=5):
            delay = timedelta(seconds=int(self.rng.uniform(300, room.total_seconds())))
        else:
            delay = max(gap / 2, timedelta(minutes=1))
        start = dep.finished + delay
        resolved = min(start + duration, self.t1 - timedelta(minutes=10))
        if resolved - start < timedelta(minutes=10) or not self.free(dep.service, start, resolved):
            return None
        return self.add(dep.service, start, resolved, kind, rate, factor, dep, link)

    def add(
        self,
        service: str,
        start: datetime,
        resolved: datetime | None,
        kind: str,
        rate: float,
        factor: float,
        cause: _Deploy | None,
        link: str,
    ) -> _Incident:
        detect = timedelta(seconds=int(np.clip(self.rng.lognormal(np.log(360), 0.6), 60, 2700)))
        if resolved is not None:
            detect = min(detect, (resolved - start) / 2)
        inc = _Incident(service, start, start + detect, resolved, kind, rate, factor, cause, link)
        self.incidents.append(inc)
        return inc

    def pick_deploy(
        self, service: str, lo: datetime, hi: datetime, hours: tuple[int, int] = (0, 24)
    ) -> _Deploy:
        """A counted normal deployment of `service` finishing in [lo, hi); made if none exists."""
        pool = [
            d
            for d in _counted(self.deploys, service)
            if lo <= d.finished < hi and d.dtype == "normal"
        ]
        preferred = [
            d for d in pool if d.finished.weekday() < 5 and hours[0] <= d.finished.hour < hours[1]
        ]
        pool = preferred or pool
        if pool:
            return pool[int(self.rng.integers(len(pool)))]
        when = lo + (hi - lo) / 2
        made = _Deploy(
            service,
            _SERVICE[service].prod_env,
            "success",
            when,
            when - timedelta(minutes=6),
            _sha(self.rng),
        )
        self.deploys.append(made)
        return made


def _plan_incidents(
    rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
) -> tuple[list[_Incident], list[_Deploy]]:
    """Incidents (caused, uncaused, open), change freezes, and the deployments that fix them."""
    plan = _Planner(rng, list(deploys), t0, t1)
    week = timedelta(weeks=1)
    last_day = t1 - timedelta(days=1)

    # Scenario: a long, severe checkout outage in the final two weeks (morning deploy, so the
    # incident runs through the afternoon peak).
    lo = max(t0, t1 - 2 * week)
    big_dep = plan.pick_deploy("checkout-api", lo, last_day - timedelta(hours=12), (8, 12))
    plan.caused(
        big_dep,
        "errors",
        rng.uniform(0.35, 0.5),
        2.0,
        timedelta(minutes=int(rng.uniform(300, 420))),
        "explicit",
        max_delay_h=1.5,
    )

    # Scenario: a signup latency incident, after the first quarter of the period.
    lat_dep = plan.pick_deploy("signup-service", t0 + (t1 - t0) / 4, last_day, (8, 15))
    plan.caused(
        lat_dep,
        "latency",
        0.01,
        rng.uniform(4.5, 6.0),
        timedelta(minutes=int(rng.uniform(120, 200))),
        "sha",
        max_delay_h=3,
    )

    # Incidents caused by ordinary deployments, linked in different ways.
    for dep in _counted(plan.deploys):
        draw = rng.random(3)
        if dep.finished > t1 - timedelta(hours=6) or draw[0] >= _SERVICE[dep.service].incident_prob:
            continue
        link = ("explicit", "sha", "time")[int(np.searchsorted([0.35, 0.6], draw[1], "right"))]
        seconds = np.clip(rng.lognormal(np.log(50 * 60), 0.7), 600, 5 * 3600)
        duration = timedelta(seconds=int(seconds))
        if draw[2] < 0.7:
            plan.caused(dep, "errors", rng.uniform(0.05, 0.3), 1.5, duration, link)
        else:
            plan.caused(dep, "latency", 0.01, rng.uniform(3.0, 6.0), duration, link)

    # Incidents without a cause, preferably with no deployment of the service in the 24 h before.
    for _ in range(max(1, int(rng.poisson(0.2 * (t1 - t0).days / 7)))):
        svc = SERVICES[int(rng.choice(len(SERVICES), p=[0.35, 0.25, 0.2, 0.2]))]
        for _attempt in range(40):
            start = t0 + timedelta(
                hours=24, seconds=int(rng.uniform(0, (t1 - t0).total_seconds() - 30 * 3600))
            )
            resolved = start + timedelta(minutes=int(rng.uniform(20, 120)))
            recent = [
                d
                for d in _counted(plan.deploys, svc.name)
                if start - timedelta(hours=24) <= d.finished <= start
            ]
            if not recent and plan.free(svc.name, start, resolved):
                plan.add(
                    svc.name, start, resolved, "errors", rng.uniform(0.03, 0.15), 1.3, None, "none"
                )
                break

    # One incident still open at the end: catalog-api slow since the last day (else notifications).
    slots = [(svc, h) for svc in ("catalog-api", "notifications") for h in (20, 14, 8, 4)]
    for service, hours in slots:
        start = t1 - timedelta(hours=hours, minutes=int(rng.integers(0, 60)))
        if plan.free(service, start, t1):
            plan.add(service, start, None, "latency", 0.02, 2.5, None, "none")
            break

    deploys = _freeze(plan.deploys, plan.incidents)
    deploys += _fix_deploys(rng, deploys, plan.incidents)
    incidents = sorted(plan.incidents, key=lambda i: (i.start, i.service))
    for n, inc in enumerate(incidents, start=1):
        inc.id = f"INC-{n:04d}"
        inc.severity, inc.title = _describe(rng, inc, t1)
    deploys.sort(key=lambda d: (d.finished, d.service, d.environment))
    for n, dep in enumerate(deploys, start=1):
        dep.id = f"dep-{n:05d}"
    _check_links(incidents, deploys)
    return incidents, deploys


def _freeze(deploys: list[_Deploy], incidents: list[_Incident]) -> list[_Deploy]:
    """Drop ordinary production deployments of a service while it has an open incident."""
    causes = {id(i.cause) for i in incidents if i.cause is not None}
    kept = []
    for d in deploys:
        frozen = any(
            i.service == d.service and i.start <= d.finished <= (i.resolved or d.finished)
            for i in incidents
        )
        if not frozen or d.environment == "staging" or id(d) in causes:
            kept.append(d)
    return kept


def _fix_deploys(
    rng: np.random.Generator, deploys: list[_Deploy], incidents: list[_Incident]
) -> list[_Deploy]:
    """Hotfix or rollback deployments that end incidents (always for sev1-size outages)."""
    out = []
    causes = {id(i.cause) for i in incidents if i.cause is not None}
    for inc in sorted(incidents, key=lambda i: i.start):
        if inc.resolved is None or inc.resolved - inc.detected < timedelta(minutes=6):
            continue
        big = inc.error_rate >= 0.3
        if not big and rng.random() >= (0.6 if inc.cause else 0.3):
            continue
        finished = inc.resolved - timedelta(seconds=int(rng.uniform(60, 300)))
        svc = _SERVICE[inc.service]
        if inc.cause is not None and (big or rng.random() < 0.5):
            good = [
                d
                for d in _counted(deploys, inc.service)
                if d.finished < inc.cause.finished and id(d) not in causes
            ]
            sha = good[-1].sha if good else _sha(rng)  # back to the last good version
            dtype = "rollback"
        else:
            sha, dtype = _sha(rng), "hotfix"
        started = finished - _minutes(rng, 1, 4)
        out.append(
            _Deploy(inc.service, svc.prod_env, "success", finished, started, sha, dtype, inc)
        )
    return out


def _describe(rng: np.random.Generator, inc: _Incident, t1: datetime) -> tuple[str, str]:
    """Severity from impact and duration, and a title."""
    hours = ((inc.resolved or t1) - inc.start).total_seconds() / 3600
    if inc.service == "notifications":
        severity = "sev3" if inc.error_rate >= 0.1 else "sev4"
        return severity, "Delayed notification delivery"
    if inc.kind == "latency":
        severity = "sev2" if inc.latency_factor >= 4 and hours >= 1 else "sev3"
        return severity, f"{inc.service}: slow responses"
    if inc.error_rate >= 0.3 or (inc.error_rate >= 0.15 and hours >= 2):
        severity = "sev1"
    elif inc.error_rate >= 0.12:
        severity = "sev2"
    else:
        severity = "sev3" if inc.error_rate >= 0.05 else "sev4"
    templates = ("{s}: elevated 5xx errors", "{s}: upstream timeouts", "{s}: database failover")
    return severity, templates[int(rng.integers(len(templates)))].format(s=inc.service)


def _check_links(incidents: list[_Incident], deploys: list[_Deploy]) -> None:
    """Make implicit links (commit or time) unambiguous; fall back to an explicit link."""
    for inc in incidents:
        if inc.cause is None:
            continue
        counted = _counted(deploys, inc.service)
        if inc.link == "sha" and sum(d.sha == inc.cause.sha for d in _counted(deploys)) != 1:
            inc.link = "explicit"
        if inc.link == "time":
            window = [
                d for d in counted if inc.start - timedelta(hours=24) <= d.finished <= inc.start
            ]
            if not window or window[-1] is not inc.cause:
                inc.link = "explicit"


# --------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------


def _plan_changes(
    rng: np.random.Generator, deploys: list[_Deploy], t0: datetime, t1: datetime
) -> list[_Change]:
    """Changes shipped by each deployment, plus data-quality cases and never-deployed changes."""
    growth_from = t1 - timedelta(weeks=3)
    changes: list[_Change] = []
    for svc in SERVICES:
        counted = _counted(deploys, svc.name)
        previous = t0 - timedelta(days=2)
        for dep in counted:
            if dep.dtype != "rollback":
                n = 1 if dep.dtype == "hotfix" else int(rng.integers(1, 6))
                growth = 1.0
                if svc.name == "checkout-api" and dep.finished >= growth_from:
                    week = (dep.finished - growth_from) // timedelta(weeks=1)
                    growth = _LEAD_TIME_GROWTH[min(week, 2)]
                changes += _shipped(rng, dep, previous, n, growth)
            previous = dep.finished
        if counted and t1 - counted[-1].finished > timedelta(minutes=30):
            for _ in range(int(rng.integers(1, 3))):
                merged = counted[-1].finished + timedelta(
                    seconds=int(rng.uniform(60, (t1 - counted[-1].finished).total_seconds() - 60))
                )
                changes.append(_pr_change(rng, svc.name, merged, 1.0, None))
    # Clock-skew cases: first commit after the deployment that shipped it.
    counted = _counted(deploys)
    for k in rng.choice(len(counted), size=min(2, len(counted)), replace=False):
        dep = counted[int(k)]
        changes.append(
            _Change(
                dep.service,
                dep.finished + _minutes(rng, 5, 120),
                None,
                None,
                _sha(rng),
                dep,
                pr=False,
            )
        )
    _number_changes(rng, changes)
    return sorted(changes, key=lambda c: (c.merged or c.first_commit, c.id))


def _shipped(
    rng: np.random.Generator, dep: _Deploy, previous: datetime, n: int, growth: float
) -> list[_Change]:
    """`n` changes merged after the previous deployment; the last carries the deployed sha."""
    span = max((dep.finished - previous).total_seconds() - 180, 60)
    merged = sorted(
        dep.finished - timedelta(seconds=int(120 + rng.uniform(0, span))) for _ in range(n)
    )
    out = []
    for when in merged:
        explicit = dep if rng.random() < 0.5 else None
        if dep.dtype == "hotfix":
            first, opened = when - _minutes(rng, 40, 180), when - _minutes(rng, 5, 30)
            out.append(_Change(dep.service, first, opened, when, _sha(rng), explicit, pr=True))
        elif rng.random() < 0.06:
            out.append(_Change(dep.service, when, None, None, _sha(rng), explicit, pr=False))
        else:
            out.append(_pr_change(rng, dep.service, when, growth, explicit))
    out[-1].sha = dep.sha
    return out


def _pr_change(
    rng: np.random.Generator, service: str, merged: datetime, growth: float, deploy: _Deploy | None
) -> _Change:
    """A pull request merged at `merged`: coding then review, hours to days long."""
    cycle = float(np.clip(rng.lognormal(np.log(18 * 3600), 0.8), 3600, 10 * 86400)) * growth
    first = merged - timedelta(seconds=int(cycle))
    opened = first + timedelta(seconds=int(cycle * rng.uniform(0.2, 0.6)))
    return _Change(service, first, opened, merged, _sha(rng), deploy, pr=True)


def _number_changes(rng: np.random.Generator, changes: list[_Change]) -> None:
    """PR numbers per repository in opening order; commits are identified by their sha."""
    for svc in SERVICES:
        prs = sorted(
            (c for c in changes if c.service == svc.name and c.pr),
            key=lambda c: (c.opened or c.first_commit, c.sha),
        )
        number = 100 + int(rng.integers(0, 900))
        for c in prs:
            number += int(rng.integers(1, 4))
            c.id = f"{svc.repo}#{number}"
    for c in changes:
        if not c.pr:
            c.id = c.sha
