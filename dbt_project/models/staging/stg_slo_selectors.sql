with

slo_selectors as (

    select * from {{ source('slo_config', 'slo_selectors') }}

),

final as (

    select
        slo_id,
        service,
        route_pattern,
        http_method
    from slo_selectors

)

select * from final
