{#-
    Per SLO per UTC day, over the SLO's window ending that day (int_slo__daily_windows).
    Occurrences: events are requests. Timeslices: events are slices of the elapsed window; a slice
    without traffic counts by slo.timeslices.empty_slice (good, bad or skip).
-#}
with

windows as (

    select * from {{ ref('int_slo__daily_windows') }}

),

hours as (

    select * from {{ ref('int_slo__sli_hourly') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

policy as (

    select * from {{ ref('stg_slo_policy') }}

),

window_sums as (

    select
        windows.slo_day_id,
        coalesce(sum(hours.valid_events), 0) as valid_requests,
        coalesce(sum(hours.bad_events), 0) as bad_requests,
        coalesce(sum(hours.data_slices), 0) as data_slices,
        coalesce(sum(hours.bad_slices), 0) as bad_data_slices
    from windows
    left join hours
        on windows.slo_id = hours.slo_id
        and hours.hour_at >= windows.window_start_at
        and hours.hour_at < windows.window_end_at
    group by windows.slo_day_id

),

events as (

    select
        windows.*,
        definitions.budgeting_method,
        definitions.target,
        definitions.time_slice_minutes,
        window_sums.valid_requests,
        window_sums.bad_requests,
        window_sums.valid_requests > 0 as has_data,
        case
            when definitions.budgeting_method = 'Occurrences' then window_sums.valid_requests
            when policy.empty_slice = 'skip' then window_sums.data_slices
            else windows.elapsed_minutes / definitions.time_slice_minutes
        end as valid_events,
        case
            when definitions.budgeting_method = 'Occurrences' then window_sums.bad_requests
            when policy.empty_slice = 'bad'
                then window_sums.bad_data_slices
                    + windows.elapsed_minutes / definitions.time_slice_minutes - window_sums.data_slices
            else window_sums.bad_data_slices
        end as bad_events
    from windows
    inner join window_sums on windows.slo_day_id = window_sums.slo_day_id
    inner join definitions on windows.slo_id = definitions.slo_id
    cross join policy

),

budgets as (

    select
        *,
        case when has_data then (1 - target) * valid_events else 0 end as budget_events,
        period_minutes * (1 - target) as budget_minutes
    from events

),

fractions as (

    select
        *,
        case
            when not has_data then null
            when budget_events > 0 then cast(bad_events as {{ cross_db_type_double() }}) / budget_events
            when bad_events = 0 then 0
        end as consumed_fraction,
        has_data and bad_events > 0 and bad_events >= budget_events as is_budget_exhausted
    from budgets

),

final as (

    select
        slo_day_id,
        slo_id,
        day_date,
        window_kind,
        budgeting_method,
        window_start_at,
        window_end_at,
        elapsed_minutes,
        period_minutes,
        is_partial_window,
        cast(valid_requests as {{ dbt.type_bigint() }}) as valid_requests,
        cast(bad_requests as {{ dbt.type_bigint() }}) as bad_requests,
        cast(valid_events as {{ dbt.type_bigint() }}) as valid_events,
        cast(bad_events as {{ dbt.type_bigint() }}) as bad_events,
        {{ slo_round("case when has_data then " ~ slo_safe_divide('valid_events - bad_events', 'valid_events') ~ " end") }} as sli,
        not has_data as is_no_data,
        target,
        {{ slo_round('cast(budget_events as ' ~ cross_db_type_double() ~ ')') }} as budget_events,
        {{ slo_round('consumed_fraction') }} as consumed_fraction,
        {{ slo_round('''case
            when not has_data then null
            when budget_events > 0 then 1 - consumed_fraction
            when bad_events = 0 then 0
        end''') }} as remaining_fraction,
        is_budget_exhausted,
        {{ slo_round('cast(budget_minutes as ' ~ cross_db_type_double() ~ ')') }} as budget_minutes,
        {{ slo_round('consumed_fraction * budget_minutes') }} as error_minutes,
        {{ slo_round('''case
            when not has_data then null
            when budget_events > 0 then (1 - consumed_fraction) * budget_minutes
            when bad_events = 0 then 0
        end''') }} as budget_remaining_minutes,
        {{ slo_round("case when has_data then " ~ slo_burn_rate('bad_events', 'valid_events', 'target') ~ " end") }} as burn_rate,
        as_of_at,
        latest_data_at
    from fractions

)

select * from final
