with

slo_policy as (

    select * from {{ source('slo_config', 'slo_policy') }}

),

final as (

    select
        caution_at_or_below,
        freeze_at_or_below,
        postmortem_budget_fraction,
        empty_slice
    from slo_policy

)

select * from final
