{#-
    Per SLO per minute (every minute from the start of history to as_of_at, with or without
    traffic): burn rates over the look-back windows 5m, 30m, 1h, 2h, 6h, 1d and 3d ending at the
    end of that minute (evaluated_at). Burn rate = (bad / valid over the window) / (1 - target);
    null when the window has no valid events or the target is 100%.
-#}
{%- set windows = [(5, '5m'), (30, '30m'), (60, '1h'), (120, '2h'), (360, '6h'), (1440, '1d'), (4320, '3d')] -%}
with

minutes as (

    select * from {{ ref('int_slo__sli_minute') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

history as (

    select
        min(minute_at) as first_minute_at,
        {{ dbt.dateadd('minute', -1, dbt.dateadd('hour', 1, dbt.date_trunc('hour', 'max(minute_at)'))) }} as last_minute_at
    from minutes

),

slo_history as (

    select
        definitions.slo_id,
        definitions.target,
        history.first_minute_at,
        history.last_minute_at
    from definitions
    cross join history
    where history.first_minute_at is not null

),

spine as (

    {{ slo_series('slo_history', 'first_minute_at', 'last_minute_at', 'minute', 'minute_at',
                  ['slo_id', 'target']) }}

),

filled as (

    select
        spine.slo_id,
        spine.target,
        spine.minute_at,
        cast(coalesce(minutes.valid_events, 0) as {{ dbt.type_bigint() }}) as valid_events,
        cast(coalesce(minutes.bad_events, 0) as {{ dbt.type_bigint() }}) as bad_events
    from spine
    left join minutes
        on spine.slo_id = minutes.slo_id
        and spine.minute_at = minutes.minute_at

),

cumulative as (

    {#- Running totals: a window sum over the last W minutes is a difference of two of them (the
        spine has every minute, so W rows back is W minutes back). Exact: integer sums. -#}
    select
        *,
        cast(sum(valid_events) over (
            partition by slo_id order by minute_at rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_valid,
        cast(sum(bad_events) over (
            partition by slo_id order by minute_at rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_bad
    from filled

),

windowed as (

    select
        *,
        {%- for minutes, label in windows %}
        cumulative_valid - coalesce(
            lag(cumulative_valid, {{ minutes }}) over (partition by slo_id order by minute_at), 0
        ) as valid_{{ label }},
        cumulative_bad - coalesce(
            lag(cumulative_bad, {{ minutes }}) over (partition by slo_id order by minute_at), 0
        ) as bad_{{ label }}{{ "," if not loop.last }}
        {%- endfor %}
    from cumulative

),

final as (

    select
        slo_id || '|' || cast(minute_at as {{ dbt.type_string() }}) as slo_minute_id,
        slo_id,
        minute_at,
        {{ dbt.dateadd('minute', 1, 'minute_at') }} as evaluated_at,
        valid_events,
        bad_events,
        {%- for minutes, label in windows %}
        {{ slo_round(slo_burn_rate('bad_' ~ label, 'valid_' ~ label, 'target')) }} as burn_rate_{{ label }}{{ "," if not loop.last }}
        {%- endfor %}
    from windowed

)

select * from final
