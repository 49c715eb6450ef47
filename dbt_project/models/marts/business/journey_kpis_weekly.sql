{#-
    Per journey (and for all journeys: scope 'all') and ISO week (Monday, UTC): conversions
    started and completed, conversion rate, revenue, average order value, active and returning
    users, and the journey's availability and latency SLIs over the same week. Every week from
    the first to the last week with conversions or journey requests is present.
    Returning users: users active in the previous week who are active again this week;
    returning_user_rate divides them by the previous week's active users.
-#}
with

{{ journey_kpi_inputs() }}

requests_with_week as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'day_date') }} as date) as week_start
    from requests_daily

),

{{ journey_kpi_spine('requests_with_week', 'week_start', 7, 1100, extra=[
    'cast(' ~ dbt.dateadd('day', -7, 'periods.week_start') ~ ' as date) as previous_week_start'
]) }}

conversions_weekly as (

    select
        scope,
        journey,
        week_start,
        {{ journey_conversion_aggregates() }}
    from events
    group by scope, journey, week_start

),

user_weeks as (

    select distinct
        scope,
        journey,
        week_start,
        user_key_hash
    from events
    where user_key_hash is not null

),

active_users as (

    select
        scope,
        journey,
        week_start,
        count(*) as active_users
    from user_weeks
    group by scope, journey, week_start

),

returning_users as (

    select
        this_week.scope,
        this_week.journey,
        this_week.week_start,
        count(*) as returning_users
    from user_weeks as this_week
    inner join user_weeks as last_week
        {{ join_on('this_week', 'last_week', ['scope', 'journey', 'user_key_hash']) }}
        and last_week.week_start = cast({{ dbt.dateadd('day', -7, 'this_week.week_start') }} as date)
    group by this_week.scope, this_week.journey, this_week.week_start

),

requests_weekly as (

    select
        scope,
        journey,
        week_start,
        sum(requests) as requests,
        sum(good_requests) as good_requests,
        sum(timed_requests) as timed_requests,
        sum(fast_requests) as fast_requests,
        max(latency_threshold_ms) as latency_threshold_ms,
        {{ journey_threshold_source() }} as latency_threshold_source
    from requests_with_week
    group by scope, journey, week_start

),

joined as (

    select
        spine.scope,
        spine.journey,
        spine.week_start,
        {{ journey_conversion_totals('conversions_weekly') }},
        coalesce(active_users.active_users, 0) as active_users,
        coalesce(previous_active.active_users, 0) as previous_week_active_users,
        coalesce(returning_users.returning_users, 0) as returning_users,
        {{ journey_request_totals('requests_weekly') }}
    from spine
    cross join settings
    left join active_users as previous_active
        {{ join_on('spine', 'previous_active', [
            'scope', 'journey', ('previous_week_start', 'week_start')
        ]) }}
    {%- for aggregate in ['conversions_weekly', 'active_users', 'returning_users', 'requests_weekly'] %}
    left join {{ aggregate }}
        {{ join_on('spine', aggregate, ['scope', 'journey', 'week_start']) }}
    {%- endfor %}

),

final as (

    select
        {{ row_key(['scope', 'journey', 'week_start'], 'journey_week_id') }},
        {{ journey_conversion_kpis() }},
        cast(active_users as {{ dbt.type_bigint() }}) as active_users,
        cast(previous_week_active_users as {{ dbt.type_bigint() }}) as previous_week_active_users,
        cast(returning_users as {{ dbt.type_bigint() }}) as returning_users,
        cast(returning_users as {{ cross_db_type_double() }}) / nullif(previous_week_active_users, 0)
            as returning_user_rate,
        {{ journey_request_kpis() }}
    from joined

)

select * from final
