{#-
    One row per ISO week (Monday, UTC) and scope: everything ('all'), each service, each journey.
    DORA metrics come from dora_weekly (scopes all and service), business KPIs from
    journey_kpis_weekly (scopes all and journey), incidents from incident_review (an incident
    counts for all, for its service, and for each journey it affected, with that journey's own
    impact estimate), SLO status from weekly_slo_review (scopes all and service: the service's
    SLOs; the strictest decision, the lowest remaining budget). Columns that do not apply to a scope are null (no DORA for a journey, no
    conversions for a service). Weeks: from the first to the last week with any of those data.
-#}
with

dora as (

    select * from {{ ref('dora_weekly') }}
    where scope in ('all', 'service')

),

kpis as (

    select * from {{ ref('journey_kpis_weekly') }}

),

incidents as (

    select * from {{ ref('incident_review') }}

),

impact as (

    select * from {{ ref('incident_business_impact') }}

),

services as (

    select * from {{ ref('stg_services') }}

),

slos as (

    select * from {{ ref('weekly_slo_review') }}

),

slos_in_scopes as (

    {{ scope_fan_out('slos', [('all', "'all'"), ('service', 'service')], [
        'week_start', 'is_target_met', 'remaining_fraction', 'decision'
    ]) }}

),

slo_weeks as (

    select
        scope,
        scope_name,
        week_start,
        count(*) as slo_count,
        sum(case when is_target_met then 1 else 0 end) as slos_meeting_target,
        min(remaining_fraction) as slo_worst_remaining_budget_fraction,
        max(
            case decision when 'freeze' then 3 when 'caution' then 2 when 'ship' then 1 else 0 end
        ) as slo_decision_rank
    from slos_in_scopes
    group by scope, scope_name, week_start

),

data_weeks as (

    select week_start from dora
    union all
    select week_start from kpis
    union all
    select week_start from incidents

),

week_bounds as (

    select min(week_start) as first_week_start, max(week_start) as last_week_start
    from data_weeks

),

weeks as (

    {{ calendar_spine('week_bounds', 'first_week_start', 'last_week_start', 7, 1100, 'week_start') }}

),

scopes as (

    select 'all' as scope, 'all' as scope_name
    union
    select 'service' as scope, service as scope_name from services
    union
    select 'service' as scope, scope_name from dora where scope = 'service'
    union
    select 'journey' as scope, journey as scope_name from kpis where scope = 'journey'

),

spine as (

    {{ scope_spine('scopes', ['scope', 'scope_name'], 'weeks', 'week_start') }}

),

journey_incidents as (

    select
        impact.journey,
        incidents.week_start,
        incidents.incident_id,
        incidents.severity,
        incidents.is_open,
        incidents.impact_minutes,
        impact.lost_conversions_estimate,
        impact.revenue_at_risk_estimate,
        incidents.postmortem_status,
        incidents.is_pattern
    from incidents
    inner join impact on incidents.incident_id = impact.incident_id

),

{%- set incident_columns = [
    'week_start', 'incident_id', 'severity', 'is_open', 'impact_minutes',
    'lost_conversions_estimate', 'revenue_at_risk_estimate', 'postmortem_status', 'is_pattern'
] %}

incidents_in_scopes as (

    {{ scope_fan_out('incidents', [('all', "'all'"), ('service', 'service')], incident_columns) }}

    union all

    {{ scope_fan_out('journey_incidents', [('journey', 'journey')], incident_columns) }}

),

severity_counts as (

    select
        scope,
        scope_name,
        week_start,
        coalesce(lower(severity), 'unknown') as severity,
        count(*) as incidents
    from incidents_in_scopes
    group by scope, scope_name, week_start, coalesce(lower(severity), 'unknown')

),

severity_text as (

    select
        scope,
        scope_name,
        week_start,
        {{ cross_db_listagg(
            dbt.concat(['severity', "': '", 'cast(incidents as ' ~ dbt.type_string() ~ ')']),
            "', '",
            'severity'
        ) }} as incidents_by_severity
    from severity_counts
    group by scope, scope_name, week_start

),

incident_weeks as (

    select
        scope,
        scope_name,
        week_start,
        count(*) as incidents,
        sum(case when lower(severity) = 'sev1' then 1 else 0 end) as sev1_incidents,
        sum(case when lower(severity) = 'sev2' then 1 else 0 end) as sev2_incidents,
        sum(case when lower(severity) = 'sev3' then 1 else 0 end) as sev3_incidents,
        sum(case when lower(severity) = 'sev4' then 1 else 0 end) as sev4_incidents,
        sum(case when is_open then 1 else 0 end) as open_incidents,
        sum(impact_minutes) as impact_minutes,
        sum(lost_conversions_estimate) as lost_conversions_estimate,
        sum(revenue_at_risk_estimate) as revenue_at_risk_estimate,
        sum(case when postmortem_status in ('written', 'linked') then 1 else 0 end)
            as postmortems_done,
        sum(case when postmortem_status = 'missing' then 1 else 0 end) as postmortems_missing,
        sum(case when is_pattern then 1 else 0 end) as pattern_incidents
    from incidents_in_scopes
    group by scope, scope_name, week_start

),

final as (

    select
        spine.scope,
        spine.scope_name,
        spine.week_start,
        dora.deployments,
        dora.deploy_days,
        dora.deployment_frequency_per_day,
        dora.deployment_frequency_band,
        dora.lead_time_median_minutes,
        dora.lead_time_band,
        dora.change_fail_rate,
        dora.change_fail_rate_band,
        dora.failed_deployment_recovery_median_minutes,
        dora.failed_deployment_recovery_band,
        dora.rework_rate,
        dora.time_to_restore_median_minutes,
        coalesce(slo_weeks.slo_count, 0) as slo_count,
        slo_weeks.slos_meeting_target,
        case slo_weeks.slo_decision_rank
            when 3 then 'freeze'
            when 2 then 'caution'
            when 1 then 'ship'
            when 0 then 'no_data'
        end as slo_decision,
        slo_weeks.slo_worst_remaining_budget_fraction,
        {{- zero_filled('incident_weeks', [
            'incidents', 'sev1_incidents', 'sev2_incidents', 'sev3_incidents', 'sev4_incidents'
        ]) }},
        severity_text.incidents_by_severity,
        {{- zero_filled('incident_weeks', ['open_incidents', 'impact_minutes']) }},
        incident_weeks.lost_conversions_estimate,
        incident_weeks.revenue_at_risk_estimate,
        {{- zero_filled('incident_weeks', [
            'postmortems_done', 'postmortems_missing', 'pattern_incidents'
        ]) }},
        kpis.conversions_started,
        kpis.conversions_completed,
        kpis.conversion_rate,
        kpis.revenue,
        kpis.average_order_value,
        kpis.currency,
        kpis.returning_user_rate,
        kpis.availability_sli,
        kpis.latency_sli
    from spine
    left join kpis
        {{ scope_join('spine', 'kpis', scope_name_column='journey') }}
    {%- for aggregate in ['dora', 'incident_weeks', 'severity_text', 'slo_weeks'] %}
    left join {{ aggregate }}
        {{ scope_join('spine', aggregate) }}
    {%- endfor %}

)

select * from final
