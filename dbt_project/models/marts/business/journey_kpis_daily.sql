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

day_numbers as (

    {{ dbt.generate_series(7400) }}

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'day_bounds.first_day_date') }} as date)
            as day_date
    from day_bounds
    cross join day_numbers
    where day_numbers.generated_number - 1
        <= {{ dbt.datediff('day_bounds.first_day_date', 'day_bounds.last_day_date', 'day') }}

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
        sum(case when step_kind = 'started' then 1 else 0 end) as conversions_started,
        sum(case when step_kind = 'completed' then 1 else 0 end) as conversions_completed,
        sum(revenue) as revenue,
        count(revenue) as orders_with_revenue,
        count(distinct user_key_hash) as unique_users,
        case when count(distinct currency) > 1 then 'mixed' else max(currency) end as currency
    from events
    group by scope, journey, day_date

),

joined as (

    select
        spine.scope,
        spine.journey,
        spine.day_date,
        coalesce(conversions_daily.conversions_started, 0) as conversions_started,
        coalesce(conversions_daily.conversions_completed, 0) as conversions_completed,
        coalesce(conversions_daily.revenue, 0) as revenue,
        coalesce(conversions_daily.orders_with_revenue, 0) as orders_with_revenue,
        coalesce(conversions_daily.unique_users, 0) as unique_users,
        conversions_daily.currency,
        coalesce(requests_daily.requests, 0) as requests,
        coalesce(requests_daily.good_requests, 0) as good_requests,
        coalesce(requests_daily.timed_requests, 0) as timed_requests,
        coalesce(requests_daily.fast_requests, 0) as fast_requests,
        coalesce(requests_daily.latency_threshold_ms, settings.latency_threshold_ms)
            as latency_threshold_ms,
        coalesce(requests_daily.latency_threshold_source, 'config') as latency_threshold_source
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
        cast(conversions_started as {{ dbt.type_bigint() }}) as conversions_started,
        cast(conversions_completed as {{ dbt.type_bigint() }}) as conversions_completed,
        cast(conversions_completed as {{ cross_db_type_double() }}) / nullif(conversions_started, 0)
            as conversion_rate,
        cast(revenue as {{ cross_db_type_double() }}) as revenue,
        cast(revenue as {{ cross_db_type_double() }}) / nullif(orders_with_revenue, 0) as average_order_value,
        currency,
        cast(unique_users as {{ dbt.type_bigint() }}) as unique_users,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(good_requests as {{ cross_db_type_double() }}) / nullif(requests, 0) as availability_sli,
        cast(fast_requests as {{ cross_db_type_double() }}) / nullif(timed_requests, 0) as latency_sli,
        cast(latency_threshold_ms as {{ cross_db_type_double() }}) as latency_threshold_ms,
        latency_threshold_source
    from joined

)

select * from final
