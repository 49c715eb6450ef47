with

slo_excluded_routes as (

    select * from {{ source('slo_config', 'slo_excluded_routes') }}

),

final as (

    select
        route_pattern
    from slo_excluded_routes

)

select * from final
