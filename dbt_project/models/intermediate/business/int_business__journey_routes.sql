{#-
    Which request routes belong to which journey: every distinct (service, route) of the request
    logs matched once against the journeys' SQL LIKE route patterns, so the request table is then
    joined to this small map on equality. A journey without a service matches routes of any service.
-#}
with

requests as (

    select * from {{ ref('stg_requests') }}

),

route_patterns as (

    select * from {{ ref('stg_route_patterns') }}
    where owner_type = 'journey'

),

request_routes as (

    select distinct
        service,
        route
    from requests

),

matched as (

    select distinct
        route_patterns.owner_name as journey,
        request_routes.service,
        request_routes.route
    from request_routes
    inner join route_patterns
        on (route_patterns.service is null or request_routes.service = route_patterns.service)
        and {{ cross_db_like('request_routes.route', 'route_patterns.route_pattern') }}

),

final as (

    select
        {{ dbt.concat(['journey', "':'", 'service', "':'", 'route']) }} as journey_route_id,
        journey,
        service,
        route
    from matched

)

select * from final
