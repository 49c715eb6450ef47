{#-
    Per journey (and for all journeys: scope 'all') and ISO week (Monday, UTC): conversions
    started and completed, conversion rate, revenue, average order value, active and returning
    users, and the journey's availability and latency SLIs over the same week. Every week from
    the first to the last week with conversions or journey requests is present.
    Returning users: users active in the previous week who are active again this week;
    returning_user_rate divides them by the previous week's active users.
-#}
with

events as (

    select * from {{ ref('int_business__journey_events') }}

),

requests_daily as (

    select * from {{ ref('int_business__journey_requests_daily') }}

),

journeys as (

    select * from {{ ref('stg_journeys') }}

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

requests_with_week as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'day_date') }} as date) as week_start
    from requests_daily

),

scopes as (

    select 'journey' as scope, journey from journeys
    union
    select distinct scope, journey from events
    union
    select distinct scope, journey from requests_daily

),

week_bounds as (

    select min(week_start) as first_week_start, max(week_start) as last_week_start
    from (
        select week_start from events
        union all
        select week_start from requests_with_week
    ) as data_weeks

),

weeks as (

    {{ calendar_spine('week_bounds', 'first_week_start', 'last_week_start', 7, 1100, 'week_start') }}

),

spine as (

    select
        scopes.scope,
        scopes.journey,
        weeks.week_start,
        cast({{ dbt.dateadd('day', -7, 'weeks.week_start') }} as date) as previous_week_start
    from scopes
    cross join weeks

),

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
        on this_week.scope = last_week.scope
        and this_week.journey = last_week.journey
        and this_week.user_key_hash = last_week.user_key_hash
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
        case
            when count(distinct latency_threshold_source) = 1 then max(latency_threshold_source)
            else 'mixed'
        end as latency_threshold_source
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
    left join conversions_weekly
        on spine.scope = conversions_weekly.scope
        and spine.journey = conversions_weekly.journey
        and spine.week_start = conversions_weekly.week_start
    left join active_users
        on spine.scope = active_users.scope
        and spine.journey = active_users.journey
        and spine.week_start = active_users.week_start
    left join active_users as previous_active
        on spine.scope = previous_active.scope
        and spine.journey = previous_active.journey
        and spine.previous_week_start = previous_active.week_start
    left join returning_users
        on spine.scope = returning_users.scope
        and spine.journey = returning_users.journey
        and spine.week_start = returning_users.week_start
    left join requests_weekly
        on spine.scope = requests_weekly.scope
        and spine.journey = requests_weekly.journey
        and spine.week_start = requests_weekly.week_start

),

final as (

    select
        {{ dbt.concat(['scope', "':'", 'journey', "':'", 'cast(week_start as ' ~ dbt.type_string() ~ ')']) }}
            as journey_week_id,
        scope,
        journey,
        week_start,
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
