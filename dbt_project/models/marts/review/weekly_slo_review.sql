{#-
    Per SLO and ISO week (Monday, UTC): the SLO's status at the end of the week, i.e. the
    error_budget_status_history row of the last day of the week with data (Sunday, or the latest
    day of an unfinished week): SLI over the SLO's window, target, whether it is met (attainment),
    remaining error budget (fraction and minutes) and the policy decision with its reason; plus the
    share of good requests within the week itself (int_slo__sli_daily).
-#}
with

history as (

    select * from {{ ref('error_budget_status_history') }}

),

status as (

    select * from {{ ref('error_budget_status') }}

),

sli_daily as (

    select * from {{ ref('int_slo__sli_daily') }}

),

history_weeks as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'day_date') }} as date) as week_start
    from history

),

last_days as (

    select
        slo_id,
        week_start,
        max(day_date) as day_date
    from history_weeks
    group by slo_id, week_start

),

week_requests as (

    select
        slo_id,
        cast({{ dbt.date_trunc('week', 'day_date') }} as date) as week_start,
        sum(valid_events) as week_valid_events,
        sum(good_events) as week_good_events
    from sli_daily
    group by slo_id, cast({{ dbt.date_trunc('week', 'day_date') }} as date)

),

final as (

    select
        {{ dbt.concat(['history_weeks.slo_id', "':'", 'cast(history_weeks.week_start as ' ~ dbt.type_string() ~ ')']) }}
            as slo_week_id,
        history_weeks.slo_id,
        status.display_name,
        status.service,
        status.sli_type,
        status.budgeting_method,
        history_weeks.week_start,
        history_weeks.day_date as status_date,
        history_weeks.sli,
        history_weeks.target,
        history_weeks.sli >= history_weeks.target as is_target_met,
        history_weeks.remaining_fraction,
        history_weeks.budget_minutes,
        history_weeks.budget_remaining_minutes,
        history_weeks.burn_rate,
        history_weeks.decision,
        history_weeks.decision_reason,
        history_weeks.postmortems_required,
        cast(week_requests.week_valid_events as {{ dbt.type_bigint() }}) as week_valid_events,
        cast(week_requests.week_good_events as {{ cross_db_type_double() }})
            / nullif(week_requests.week_valid_events, 0) as week_good_ratio
    from history_weeks
    inner join last_days
        {{ join_on('history_weeks', 'last_days', ['slo_id', 'week_start', 'day_date']) }}
    left join status on history_weeks.slo_id = status.slo_id
    left join week_requests
        {{ join_on('history_weeks', 'week_requests', ['slo_id', 'week_start']) }}

)

select * from final
