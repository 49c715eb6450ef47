{#-
    Per journey (and for all journeys: scope 'all') and UTC day: conversions started and completed,
    conversion rate, revenue, average order value, unique users, and the journey's availability
    and latency SLIs over the same day. Every day from the first to the last day with conversions
    or journey requests is present (zeros, not gaps). Returning users are weekly only
    (journey_kpis_weekly).
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

scopes as (

    select 'journey' as scope, journey from journeys
    union
    select distinct scope, journey from events
    union
    select distinct scope, journey from requests_daily

),

day_bounds as (

    select min(day_date) as first_day_date, max(day_date) as last_day_date
    from (
        select day_date from events
        union all
        select day_date from requests_daily
    ) as data_days

),

days as (

    {{ calendar_spine('day_bounds', 'first_day_date', 'last_day_date', 1, 7400, 'day_date') }}

),

spine as (

    select
        scopes.scope,
        scopes.journey,
        days.day_date
    from scopes
    cross join days

),

conversions_daily as (

    select
        scope,
        journey,
        day_date,
        {{ journey_conversion_aggregates() }},
        count(distinct user_key_hash) as unique_users
    from events
    group by scope, journey, day_date

),

joined as (

    select
        spine.scope,
        spine.journey,
        spine.day_date,
        {{ journey_conversion_totals('conversions_daily') }},
        coalesce(conversions_daily.unique_users, 0) as unique_users,
        {{ journey_request_totals('requests_daily') }}
    from spine
    cross join settings
    left join conversions_daily
        on spine.scope = conversions_daily.scope
        and spine.journey = conversions_daily.journey
        and spine.day_date = conversions_daily.day_date
    left join requests_daily
        on spine.scope = requests_daily.scope
        and spine.journey = requests_daily.journey
        and spine.day_date = requests_daily.day_date

),

final as (

    select
        {{ dbt.concat(['scope', "':'", 'journey', "':'", 'cast(day_date as ' ~ dbt.type_string() ~ ')']) }}
            as journey_day_id,
        scope,
        journey,
        day_date,
        {{ journey_conversion_kpis() }},
        cast(unique_users as {{ dbt.type_bigint() }}) as unique_users,
        {{ journey_request_kpis() }}
    from joined

)

select * from final
