{#- Route patterns (SQL LIKE) of services and journeys, one row per owner and pattern. -#}
with

service_routes as (

    select * from {{ source('raw', 'config_service_routes') }}

),

journey_routes as (

    select * from {{ source('raw', 'config_journey_routes') }}

),

journeys as (

    select * from {{ source('raw', 'config_journeys') }}

),

unioned as (

    select
        'service' as owner_type,
        service as owner_name,
        service,
        route_pattern
    from service_routes

    union all

    select
        'journey' as owner_type,
        journey_routes.journey as owner_name,
        journeys.service,
        journey_routes.route_pattern
    from journey_routes
    left join journeys on journey_routes.journey = journeys.journey

),

final as (

    select
        owner_type || ':' || owner_name || ':' || route_pattern as route_pattern_id,
        owner_type,
        owner_name,
        service,
        route_pattern
    from unioned

)

select * from final
