with

journeys as (

    select * from {{ source('raw', 'config_journeys') }}

),

final as (

    select
        journey,
        service
    from journeys

)

select * from final
