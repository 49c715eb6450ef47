{#- One row per SLO and alert rule, with the burn-rate factor scaled to the SLO's period. -#}
with

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

alert_windows as (

    select * from {{ ref('stg_slo_alert_windows') }}

),

final as (

    select
        definitions.slo_id || '|' || alert_windows.alert_rule as slo_alert_rule_id,
        definitions.slo_id,
        alert_windows.alert_rule,
        alert_windows.severity,
        alert_windows.budget_fraction,
        alert_windows.long_window_minutes,
        alert_windows.short_window_minutes,
        definitions.window_minutes as period_minutes,
        {{ slo_round(slo_burn_factor('alert_windows.budget_fraction', 'definitions.window_minutes',
                                     'alert_windows.long_window_minutes')) }} as burn_rate_factor
    from definitions
    cross join alert_windows

)

select * from final
