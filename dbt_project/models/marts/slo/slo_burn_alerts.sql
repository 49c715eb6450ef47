{#-
    Multi-window multi-burn-rate alerts: an alert rule fires at a minute when the burn rates of
    both its long and its short window exceed its factor (scaled to the SLO's period), and clears
    at the first minute when they do not. One row per SLO, rule and firing episode.
-#}
{%- set burn_columns = {5: 'burn_rate_5m', 30: 'burn_rate_30m', 60: 'burn_rate_1h', 120: 'burn_rate_2h',
                        360: 'burn_rate_6h', 1440: 'burn_rate_1d', 4320: 'burn_rate_3d'} -%}
with

burn_rates as (

    select * from {{ ref('slo_burn_rates') }}

),

rules as (

    select * from {{ ref('int_slo__alert_rules') }}

),

daily as (

    select * from {{ ref('error_budget_daily') }}

),

evaluated as (

    select
        burn_rates.slo_id,
        rules.alert_rule,
        rules.severity,
        rules.burn_rate_factor,
        rules.long_window_minutes,
        rules.short_window_minutes,
        burn_rates.minute_at,
        burn_rates.evaluated_at,
        burn_rates.bad_events,
        case rules.long_window_minutes
            {%- for m, col in burn_columns.items() %} when {{ m }} then burn_rates.{{ col }}{% endfor %}
        end as long_burn_rate,
        case rules.short_window_minutes
            {%- for m, col in burn_columns.items() %} when {{ m }} then burn_rates.{{ col }}{% endfor %}
        end as short_burn_rate
    from burn_rates
    inner join rules on burn_rates.slo_id = rules.slo_id

),

flagged as (

    select
        *,
        coalesce(long_burn_rate > burn_rate_factor and short_burn_rate > burn_rate_factor, false) as is_firing
    from evaluated

),

firing as (

    select *
    from flagged
    where is_firing

),

episodes_numbered as (

    {#- An episode is a run of consecutive firing minutes (burn rates have every minute, so the
        previous row is the previous minute): along a run, the minute number minus the row number
        among the firing minutes is constant. Only firing rows are windowed. -#}
    select
        *,
        {{ dbt.datediff("cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")", 'minute_at', 'minute') }}
            - row_number() over (partition by slo_id, alert_rule order by minute_at) as episode_number
    from firing

),

last_minutes as (

    select
        slo_id,
        max(minute_at) as last_minute_at
    from burn_rates
    group by slo_id

),

episodes as (

    select
        episodes_numbered.slo_id,
        episodes_numbered.alert_rule,
        episodes_numbered.severity,
        episodes_numbered.burn_rate_factor,
        episodes_numbered.long_window_minutes,
        episodes_numbered.short_window_minutes,
        episodes_numbered.episode_number,
        min(episodes_numbered.evaluated_at) as fired_at,
        max(episodes_numbered.minute_at) as last_firing_minute_at,
        max(last_minutes.last_minute_at) as last_minute_at,
        sum(episodes_numbered.bad_events) as bad_events_while_firing,
        max(episodes_numbered.long_burn_rate) as peak_long_burn_rate
    from episodes_numbered
    inner join last_minutes on episodes_numbered.slo_id = last_minutes.slo_id
    group by episodes_numbered.slo_id, episodes_numbered.alert_rule, episodes_numbered.severity,
        episodes_numbered.burn_rate_factor, episodes_numbered.long_window_minutes,
        episodes_numbered.short_window_minutes, episodes_numbered.episode_number

),

final as (

    select
        episodes.slo_id || '|' || episodes.alert_rule || '|' || cast(episodes.fired_at as {{ dbt.type_string() }})
            as slo_alert_id,
        episodes.slo_id,
        episodes.alert_rule,
        episodes.severity,
        episodes.burn_rate_factor,
        episodes.long_window_minutes,
        episodes.short_window_minutes,
        episodes.fired_at,
        case
            when episodes.last_firing_minute_at < episodes.last_minute_at
                then {{ dbt.dateadd('minute', 2, 'episodes.last_firing_minute_at') }}
        end as cleared_at,
        episodes.last_firing_minute_at >= episodes.last_minute_at as is_firing,
        cast({{ dbt.datediff('episodes.fired_at', dbt.dateadd('minute', 2, 'episodes.last_firing_minute_at'), 'minute') }}
            as {{ dbt.type_bigint() }}) as firing_minutes,
        episodes.peak_long_burn_rate,
        cast(episodes.bad_events_while_firing as {{ dbt.type_bigint() }}) as bad_events_while_firing,
        {{ slo_round(slo_safe_divide('episodes.bad_events_while_firing',
                                     '(1 - daily.target) * daily.valid_requests')) }} as budget_spent_fraction
    from episodes
    left join daily
        on episodes.slo_id = daily.slo_id
        and cast(episodes.fired_at as date) = daily.day_date

)

select * from final
