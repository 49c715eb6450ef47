with

services as (

    select * from {{ source('raw', 'config_services') }}

),

final as (

    select
        service,
        team
    from services

)

select * from final
