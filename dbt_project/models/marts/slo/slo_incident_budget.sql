{#-
    Per incident and SLO of the incident's service: the error budget the incident consumed, in the
    SLO's budgeting units (bad requests, or bad slices for Timeslices) between started_at and
    resolved_at (as_of_at while open), as a fraction of the budget of the SLO window ending on the
    day the incident ended. More than the policy's postmortem_budget_fraction: a postmortem is required.
-#}
with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

slices as (

    select * from {{ ref('int_slo__sli_slices') }}

),

daily as (

    select * from {{ ref('error_budget_daily') }}

),

policy as (

    select * from {{ ref('stg_slo_policy') }}

),

as_of as (

    select max(as_of_at) as as_of_at from daily

),

spans as (

    select
        incidents.incident_id,
        incidents.severity,
        incidents.title,
        incidents.is_open,
        definitions.slo_id,
        definitions.budgeting_method,
        incidents.started_at,
        coalesce(incidents.resolved_at, as_of.as_of_at) as ended_at
    from incidents
    inner join definitions on incidents.service = definitions.service
    cross join as_of
    where incidents.started_at < as_of.as_of_at

),

impact as (

    select
        spans.incident_id,
        spans.slo_id,
        coalesce(sum(slices.valid_events), 0) as valid_requests,
        coalesce(sum(slices.bad_events), 0) as bad_requests,
        coalesce(sum(case when slices.is_bad_slice then 1 else 0 end), 0) as bad_slices
    from spans
    left join slices
        on spans.slo_id = slices.slo_id
        and slices.slice_start_at >= {{ dbt.date_trunc('minute', 'spans.started_at') }}
        and slices.slice_start_at < spans.ended_at
    group by spans.incident_id, spans.slo_id

),

final as (

    select
        spans.incident_id || '|' || spans.slo_id as incident_slo_id,
        spans.incident_id,
        spans.slo_id,
        spans.severity,
        spans.title,
        spans.started_at,
        spans.ended_at,
        spans.is_open,
        cast(impact.valid_requests as {{ dbt.type_bigint() }}) as valid_requests,
        cast(impact.bad_requests as {{ dbt.type_bigint() }}) as bad_requests,
        cast(
            case when spans.budgeting_method = 'Timeslices' then impact.bad_slices else impact.bad_requests end
            as {{ dbt.type_bigint() }}
        ) as bad_events,
        daily.day_date as budget_window_day_date,
        daily.budget_events as window_budget_events,
        {{ slo_round(slo_safe_divide(
            'case when spans.budgeting_method = \'Timeslices\' then impact.bad_slices else impact.bad_requests end',
            'daily.budget_events')) }} as budget_consumed_fraction,
        coalesce(
            case
                when daily.budget_events > 0
                    then (case when spans.budgeting_method = 'Timeslices' then impact.bad_slices
                               else impact.bad_requests end) / daily.budget_events
                        > policy.postmortem_budget_fraction
                else impact.bad_requests > 0 and daily.budget_events = 0
            end,
            false
        ) as is_postmortem_required
    from spans
    inner join impact
        {{ join_on('spans', 'impact', ['incident_id', 'slo_id']) }}
    left join daily
        on spans.slo_id = daily.slo_id
        and cast({{ dbt.dateadd('minute', -1, 'spans.ended_at') }} as date) = daily.day_date
    cross join policy

)

select * from final
