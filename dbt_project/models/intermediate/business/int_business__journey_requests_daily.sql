{#-
    Per journey (scope 'journey') and for all journeys together (scope 'all', journey 'all') and
    UTC day: the requests to the journey's routes, the good ones (status < 500: availability) and
    the fast ones (latency_ms <= the review's latency threshold: latency). A request whose route
    belongs to two journeys counts once in 'all'.
-#}
with

requests as (

    select * from {{ ref('stg_requests') }}

),

journey_routes as (

    select * from {{ ref('int_business__journey_routes') }}

),

settings as (

    select * from {{ source('review_raw', 'review_settings') }}

),

journey_requests as (

    select
        'journey' as scope,
        journey_routes.journey,
        cast(requests.requested_at as date) as day_date,
        requests.status_code,
        requests.latency_ms
    from requests
    inner join journey_routes
        on requests.service = journey_routes.service
        and requests.route = journey_routes.route

),

any_journey_routes as (

    select distinct
        service,
        route
    from journey_routes

),

all_requests as (

    select
        'all' as scope,
        'all' as journey,
        cast(requests.requested_at as date) as day_date,
        requests.status_code,
        requests.latency_ms
    from requests
    inner join any_journey_routes
        on requests.service = any_journey_routes.service
        and requests.route = any_journey_routes.route

),

scoped as (

    select * from journey_requests
    union all
    select * from all_requests

),

aggregated as (

    select
        scoped.scope,
        scoped.journey,
        scoped.day_date,
        count(*) as requests,
        sum(case when scoped.status_code < 500 then 1 else 0 end) as good_requests,
        count(scoped.latency_ms) as timed_requests,
        sum(
            case when scoped.latency_ms <= settings.latency_threshold_ms then 1 else 0 end
        ) as fast_requests,
        max(settings.latency_threshold_ms) as latency_threshold_ms
    from scoped
    cross join settings
    group by scoped.scope, scoped.journey, scoped.day_date

),

final as (

    select
        {{ dbt.concat(['scope', "':'", 'journey', "':'", 'cast(day_date as ' ~ dbt.type_string() ~ ')']) }}
            as journey_day_id,
        scope,
        journey,
        day_date,
        requests,
        good_requests,
        timed_requests,
        fast_requests,
        latency_threshold_ms
    from aggregated

)

select * from final
