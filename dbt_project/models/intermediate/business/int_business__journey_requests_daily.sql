{#-
    Per journey (scope 'journey') and for all journeys together (scope 'all', journey 'all') and
    UTC day: the requests to the journey's routes, the good ones (status < 500: availability) and
    the fast ones (latency_ms <= the journey's latency threshold). The threshold comes from the
    SLOs when a latency SLO exists for the journey's service (the objective with the highest
    target; on a tie the lower threshold), else from the config (review.latency_threshold_ms).
    A request whose route belongs to two journeys counts once in 'all', against the lower of
    their thresholds.
-#}
with

requests as (

    select * from {{ ref('stg_requests') }}

),

journey_routes as (

    select * from {{ ref('int_business__journey_routes') }}

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

journeys as (

    select * from {{ ref('stg_journeys') }}

),

latency_slos as (

    select * from {{ ref('int_slo__definitions') }}
    where sli_type = 'latency' and latency_threshold_ms is not null

),

ranked_latency_slos as (

    select
        journeys.journey,
        latency_slos.slo_id,
        latency_slos.latency_threshold_ms,
        row_number() over (
            partition by journeys.journey
            order by latency_slos.target desc, latency_slos.latency_threshold_ms, latency_slos.slo_id
        ) as slo_rank
    from journeys
    inner join latency_slos on journeys.service = latency_slos.service

),

journey_thresholds as (

    select
        journeys.journey,
        coalesce(ranked_latency_slos.latency_threshold_ms, settings.latency_threshold_ms)
            as latency_threshold_ms,
        coalesce(
            {{ dbt.concat(["'slo:'", 'ranked_latency_slos.slo_id']) }}, 'config'
        ) as latency_threshold_source
    from journeys
    cross join settings
    left join ranked_latency_slos
        on journeys.journey = ranked_latency_slos.journey
        and ranked_latency_slos.slo_rank = 1

),

route_thresholds as (

    select
        journey_routes.journey,
        journey_routes.service,
        journey_routes.route,
        coalesce(journey_thresholds.latency_threshold_ms, settings.latency_threshold_ms)
            as latency_threshold_ms,
        coalesce(journey_thresholds.latency_threshold_source, 'config')
            as latency_threshold_source
    from journey_routes
    cross join settings
    left join journey_thresholds on journey_routes.journey = journey_thresholds.journey

),

any_journey_routes as (

    select
        service,
        route,
        min(latency_threshold_ms) as latency_threshold_ms,
        {{ journey_threshold_source() }} as latency_threshold_source
    from route_thresholds
    group by service, route

),

route_scopes as (

    select
        'journey' as scope,
        journey,
        service,
        route,
        latency_threshold_ms,
        latency_threshold_source
    from route_thresholds

    union all

    select
        'all' as scope,
        'all' as journey,
        service,
        route,
        latency_threshold_ms,
        latency_threshold_source
    from any_journey_routes

),

scoped as (

    select
        route_scopes.scope,
        route_scopes.journey,
        cast(requests.requested_at as date) as day_date,
        requests.status_code,
        requests.latency_ms,
        route_scopes.latency_threshold_ms,
        route_scopes.latency_threshold_source
    from requests
    inner join route_scopes
        {{ join_on('requests', 'route_scopes', ['service', 'route']) }}

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
            case when scoped.latency_ms <= scoped.latency_threshold_ms then 1 else 0 end
        ) as fast_requests,
        max(scoped.latency_threshold_ms) as latency_threshold_ms,
        {{ journey_threshold_source('scoped.latency_threshold_source') }}
            as latency_threshold_source
    from scoped
    group by scoped.scope, scoped.journey, scoped.day_date

),

final as (

    select
        {{ row_key(['scope', 'journey', 'day_date'], 'journey_day_id') }},
        requests,
        good_requests,
        timed_requests,
        fast_requests,
        latency_threshold_ms,
        latency_threshold_source
    from aggregated

)

select * from final
