with

slo_alert_windows as (

    select * from {{ source('slo_config', 'slo_alert_windows') }}

),

final as (

    select
        alert_rule,
        severity,
        budget_fraction,
        long_window_minutes,
        short_window_minutes
    from slo_alert_windows

)

select * from final
