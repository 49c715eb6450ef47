{#- Per SLO per day: the error budget policy decision (ship / caution / freeze / no_data), why, and
    the incidents ended in the window that consumed enough budget to require a postmortem. -#}
with

daily as (

    select * from {{ ref('error_budget_daily') }}

),

incident_budget as (

    select * from {{ ref('slo_incident_budget') }}

),

policy as (

    select * from {{ ref('stg_slo_policy') }}

),

postmortems as (

    select
        daily.slo_day_id,
        count(incident_budget.incident_id) as postmortems_required
    from daily
    left join incident_budget
        on daily.slo_id = incident_budget.slo_id
        and incident_budget.is_postmortem_required
        and incident_budget.ended_at > daily.window_start_at
        and incident_budget.ended_at <= daily.window_end_at
    group by daily.slo_day_id

),

decided as (

    select
        daily.*,
        policy.caution_at_or_below,
        {{ slo_decision('daily.remaining_fraction', 'daily.is_budget_exhausted', 'not daily.is_no_data',
                        'daily.budget_events', 'policy.caution_at_or_below', 'policy.freeze_at_or_below') }}
            as decision,
        postmortems.postmortems_required
    from daily
    inner join postmortems on daily.slo_day_id = postmortems.slo_day_id
    cross join policy

),

final as (

    select
        slo_day_id,
        slo_id,
        day_date,
        sli,
        target,
        valid_events,
        bad_events,
        budget_events,
        consumed_fraction,
        remaining_fraction,
        budget_minutes,
        budget_remaining_minutes,
        burn_rate,
        is_no_data,
        is_budget_exhausted,
        decision,
        case
            when decision = 'no_data' then 'no valid events in the window'
            when is_budget_exhausted and budget_events = 0
                then 'zero budget (100% target) and ' || cast(bad_events as {{ dbt.type_string() }}) || ' bad events'
            when decision = 'freeze'
                then 'error budget exhausted: ' || {{ slo_percent_text('consumed_fraction') }}
                    || '% consumed'
            when decision = 'caution' and budget_events = 0 then 'zero budget (100% target)'
            when decision = 'caution'
                then 'budget low: ' || {{ slo_percent_text('remaining_fraction') }}
                    || '% left, at or below ' || {{ slo_percent_text('caution_at_or_below') }} || '%'
            else 'budget healthy: ' || {{ slo_percent_text('remaining_fraction') }} || '% left'
        end as decision_reason,
        cast(postmortems_required as {{ dbt.type_bigint() }}) as postmortems_required,
        as_of_at,
        latest_data_at
    from decided

)

select * from final
