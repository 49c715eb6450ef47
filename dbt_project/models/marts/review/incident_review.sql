{#-
    One row per incident, as the weekly review shows it: what happened, how long, the business
    impact ESTIMATE summed over its affected journeys (incident_business_impact), the postmortem
    (loaded file or link) and its status, action items, and whether it repeats a recent pattern.
-#}
with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

impact as (

    select * from {{ ref('incident_business_impact') }}

),

patterns as (

    select * from {{ ref('int_review__incident_patterns') }}

),

postmortems as (

    select * from {{ ref('stg_postmortems') }}

),

action_items as (

    select * from {{ ref('stg_postmortem_action_items') }}

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

slo_budget as (

    select
        incident_id,
        max(budget_consumed_fraction) as slo_budget_consumed_fraction,
        max(case when is_postmortem_required then 1 else 0 end) = 1 as is_required_by_budget
    from {{ ref('slo_incident_budget') }}
    group by incident_id

),

impact_per_incident as (

    select
        incident_id,
        max(ended_at) as ended_at,
        max(impact_minutes) as impact_minutes,
        {{ cross_db_listagg('journey', "', '") }} as affected_journeys,
        max(journey_source) as journey_source,
        sum(lost_conversions_estimate) as lost_conversions_estimate,
        sum(revenue_at_risk_estimate) as revenue_at_risk_estimate,
        max(currency) as currency,
        max(case when has_estimate then 1 else 0 end) = 1 as has_estimate
    from impact
    group by incident_id

),

items_per_incident as (

    select
        incident_id,
        count(*) as action_items,
        sum(case when status <> 'done' then 1 else 0 end) as open_action_items,
        sum(case when status <> 'done' and priority = 'high' then 1 else 0 end)
            as open_high_priority_action_items
    from action_items
    group by incident_id

),

joined as (

    select
        incidents.incident_id,
        incidents.service,
        incidents.severity,
        incidents.title,
        incidents.journey,
        incidents.started_at,
        incidents.resolved_at,
        incidents.is_open,
        cast({{ dbt.date_trunc('week', 'incidents.started_at') }} as date) as week_start,
        impact_per_incident.impact_minutes,
        impact_per_incident.affected_journeys,
        impact_per_incident.lost_conversions_estimate,
        impact_per_incident.revenue_at_risk_estimate,
        impact_per_incident.currency,
        coalesce(impact_per_incident.has_estimate, false) as has_estimate,
        slo_budget.slo_budget_consumed_fraction,
        coalesce(
            {{ dbt.position(dbt.concat(["','", 'lower(incidents.severity)', "','"]), 'settings.postmortem_severities') }} > 0,
            false
        ) or coalesce(slo_budget.is_required_by_budget, false) as is_postmortem_required,
        postmortems.incident_id is not null as has_postmortem_file,
        postmortems.file_name as postmortem_file_name,
        postmortems.file_path as postmortem_file_path,
        incidents.postmortem_url,
        postmortems.summary as postmortem_summary,
        postmortems.root_cause,
        postmortems.lessons,
        patterns.cause,
        coalesce(items_per_incident.action_items, 0) as action_items,
        coalesce(items_per_incident.open_action_items, 0) as open_action_items,
        coalesce(items_per_incident.open_high_priority_action_items, 0)
            as open_high_priority_action_items,
        patterns.same_service_incidents,
        patterns.same_cause_incidents,
        patterns.related_incident_ids,
        patterns.is_pattern
    from incidents
    cross join settings
    left join impact_per_incident on incidents.incident_id = impact_per_incident.incident_id
    left join postmortems on incidents.incident_id = postmortems.incident_id
    left join items_per_incident on incidents.incident_id = items_per_incident.incident_id
    left join patterns on incidents.incident_id = patterns.incident_id
    left join slo_budget on incidents.incident_id = slo_budget.incident_id

),

final as (

    select
        incident_id,
        service,
        severity,
        title,
        journey,
        started_at,
        resolved_at,
        is_open,
        week_start,
        cast(impact_minutes as {{ cross_db_type_double() }}) as impact_minutes,
        affected_journeys,
        cast(lost_conversions_estimate as {{ cross_db_type_double() }}) as lost_conversions_estimate,
        cast(revenue_at_risk_estimate as {{ cross_db_type_double() }}) as revenue_at_risk_estimate,
        currency,
        has_estimate,
        cast(slo_budget_consumed_fraction as {{ cross_db_type_double() }}) as slo_budget_consumed_fraction,
        is_postmortem_required,
        case
            when has_postmortem_file then 'written'
            when postmortem_url is not null then 'linked'
            when is_open and is_postmortem_required then 'due_after_resolution'
            when is_postmortem_required then 'missing'
            else 'not_required'
        end as postmortem_status,
        postmortem_file_name,
        postmortem_file_path,
        postmortem_url,
        postmortem_summary,
        root_cause,
        lessons,
        cause,
        cast(action_items as {{ dbt.type_bigint() }}) as action_items,
        cast(open_action_items as {{ dbt.type_bigint() }}) as open_action_items,
        cast(open_high_priority_action_items as {{ dbt.type_bigint() }})
            as open_high_priority_action_items,
        same_service_incidents,
        same_cause_incidents,
        related_incident_ids,
        is_pattern
    from joined

)

select * from final
