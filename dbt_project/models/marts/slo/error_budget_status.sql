{#- The current row per SLO (its latest day), with the SLO's definition and staged objectives. -#}
with

history as (

    select * from {{ ref('error_budget_status_history') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

latest as (

    select
        *,
        row_number() over (partition by slo_id order by day_date desc) as day_rank
    from history

),

final as (

    select
        definitions.slo_id,
        definitions.display_name,
        definitions.service,
        definitions.sli_type,
        definitions.budgeting_method,
        definitions.window_kind,
        definitions.window_minutes,
        definitions.calendar_unit,
        definitions.calendar_time_zone,
        latest.day_date,
        latest.sli,
        latest.target,
        definitions.baseline_target,
        definitions.next_target,
        definitions.next_target_date,
        latest.valid_events,
        latest.bad_events,
        latest.budget_events,
        latest.consumed_fraction,
        latest.remaining_fraction,
        latest.budget_minutes,
        latest.budget_remaining_minutes,
        latest.burn_rate,
        latest.is_no_data,
        latest.is_budget_exhausted,
        latest.decision,
        latest.decision_reason,
        latest.postmortems_required,
        latest.as_of_at,
        latest.latest_data_at
    from definitions
    inner join latest
        on definitions.slo_id = latest.slo_id
        and latest.day_rank = 1

)

select * from final
