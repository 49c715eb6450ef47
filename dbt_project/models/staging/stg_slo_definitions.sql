with

slo_definitions as (

    select * from {{ source('slo_config', 'slo_definitions') }}

),

final as (

    select
        {{ slo_definition_columns() | join(',\n        ') }}
    from slo_definitions

)

select * from final
