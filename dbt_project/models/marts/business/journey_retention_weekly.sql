{#-
    Retention per journey (scope journey; scope all: any journey), ISO week (Monday, UTC) and
    return window (var retention_return_days, default 7 and 28 days): of the users active in
    the week (int_business__user_weeks), those active again on the same journey within N days
    after the week ends (days week_start + 7 .. week_start + 6 + N), split by whether the user
    met a failure in the week. The retention rates are null until the window is complete (its
    last day is on or before the last day with conversion events).
-#}
with

user_weeks as (

    select * from {{ ref('int_business__user_weeks') }}

),

events as (

    select * from {{ ref('int_business__journey_events') }}

),

windows as (

    {% for days in var('retention_return_days', [7, 28]) %}
    select {{ days | int }} as return_window_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

user_days as (

    select distinct
        scope,
        journey,
        user_key_hash,
        day_date
    from events
    where user_key_hash is not null

),

last_day as (

    select max(day_date) as last_event_date from events

),

cohorts as (

    select
        user_weeks.scope,
        user_weeks.journey,
        user_weeks.week_start,
        user_weeks.user_key_hash,
        user_weeks.met_failure,
        windows.return_window_days,
        cast({{ dbt.dateadd('day', 7, 'user_weeks.week_start') }} as date) as window_start,
        cast({{ dbt.dateadd('day', '7 + windows.return_window_days', 'user_weeks.week_start') }} as date)
            as window_end
    from user_weeks
    cross join windows

),

returned as (

    select distinct
        cohorts.scope,
        cohorts.journey,
        cohorts.week_start,
        cohorts.return_window_days,
        cohorts.user_key_hash
    from cohorts
    inner join user_days
        {{ join_on('cohorts', 'user_days', ['scope', 'journey', 'user_key_hash']) }}
        and user_days.day_date >= cohorts.window_start
        and user_days.day_date < cohorts.window_end

),

counted as (

    select
        cohorts.scope,
        cohorts.journey,
        cohorts.week_start,
        cohorts.return_window_days,
        max(cohorts.window_end) as window_end,
        count(*) as active_users,
        sum(case when cohorts.met_failure then 1 else 0 end) as users_met_failure,
        sum(case when returned.user_key_hash is not null then 1 else 0 end) as returning_users,
        sum(case when cohorts.met_failure and returned.user_key_hash is not null then 1 else 0 end)
            as returning_users_met_failure
    from cohorts
    left join returned
        {{ join_on('cohorts', 'returned', [
            'scope', 'journey', 'week_start', 'return_window_days', 'user_key_hash'
        ]) }}
    group by cohorts.scope, cohorts.journey, cohorts.week_start, cohorts.return_window_days

),

rates as (

    select
        counted.*,
        counted.active_users - counted.users_met_failure as users_no_failure,
        counted.returning_users - counted.returning_users_met_failure as returning_users_no_failure,
        {{ dbt.datediff('counted.window_end', 'last_day.last_event_date', 'day') }} >= -1
            as window_complete
    from counted
    cross join last_day

),

final as (

    select
        {{ dbt.concat(['scope', "':'", 'journey', "':'", 'cast(week_start as ' ~ dbt.type_string() ~ ')', "':'", 'cast(return_window_days as ' ~ dbt.type_string() ~ ')']) }}
            as journey_week_window_id,
        scope,
        journey,
        week_start,
        cast(return_window_days as {{ dbt.type_int() }}) as return_window_days,
        window_complete,
        cast(active_users as {{ dbt.type_bigint() }}) as active_users,
        cast(returning_users as {{ dbt.type_bigint() }}) as returning_users,
        cast(users_met_failure as {{ dbt.type_bigint() }}) as users_met_failure,
        cast(returning_users_met_failure as {{ dbt.type_bigint() }}) as returning_users_met_failure,
        cast(users_no_failure as {{ dbt.type_bigint() }}) as users_no_failure,
        cast(returning_users_no_failure as {{ dbt.type_bigint() }}) as returning_users_no_failure,
        case when window_complete then
            cast(returning_users as {{ cross_db_type_double() }}) / nullif(active_users, 0)
        end as retention_rate,
        case when window_complete then
            cast(returning_users_met_failure as {{ cross_db_type_double() }}) / nullif(users_met_failure, 0)
        end as retention_rate_met_failure,
        case when window_complete then
            cast(returning_users_no_failure as {{ cross_db_type_double() }}) / nullif(users_no_failure, 0)
        end as retention_rate_no_failure,
        case when window_complete then
            cast(returning_users_no_failure as {{ cross_db_type_double() }}) / nullif(users_no_failure, 0)
            - cast(returning_users_met_failure as {{ cross_db_type_double() }}) / nullif(users_met_failure, 0)
        end as retention_gap
    from rates

)

select * from final
