with

slo_status_rules as (

    select * from {{ source('slo_config', 'slo_status_rules') }}

),

final as (

    select
        status_code,
        is_bad,
        is_excluded
    from slo_status_rules

)

select * from final
