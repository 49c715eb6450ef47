{#-
    Per SLO per minute (every minute from the start of history to as_of_at, with or without
    traffic): burn rates over the look-back windows 5m, 30m, 1h, 2h, 6h, 1d and 3d ending at the
    end of that minute (evaluated_at). Burn rate = (bad / valid over the window) / (1 - target);
    null when the window has no valid events or the target is 100%.

    Incremental, like int_slo__sli_minute (whose rows change only from the start of the last day
    it holds): a run recomputes from the start of the earliest last day with traffic among the
    SLOs already here, reading the minutes from three days (the longest window) before it, and
    appends the new minutes. An SLO that is new, or whose selection, threshold or target changed
    (definition_hash, target), is recomputed over the whole history, as is everything when the
    history's first minute moved; one already here without traffic yet resumes with the others
    (its first minutes with traffic can only come from the minute model's recompute window).
    Rows of changed or removed SLOs and minutes past the end of the history are deleted first
    (pre_hook), minutes before its start afterwards (post_hook: before, they tell that the start
    moved).
-#}
{%- set windows = [(5, '5m'), (30, '30m'), (60, '1h'), (120, '2h'), (360, '6h'), (1440, '1d'), (4320, '3d')] -%}
{%- set longest_window = 4320 -%}
{%- set last_minute_sql = dbt.dateadd('minute', -1, dbt.dateadd('hour', 1, dbt.date_trunc('hour', 'max(minute_at)'))) -%}
{{
    config(
        materialized=cross_db_delete_insert_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['slo_id', 'minute_at'],
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ slo_definition_changed(['definition_hash', 'target']) }} or {{ this }}.minute_at > (select " ~ last_minute_sql ~ " from {{ ref('int_slo__sli_minute') }}){% endif %}",
        post_hook="{% if is_incremental() %}delete from {{ this }} where {{ this }}.minute_at < (select min(minute_at) from {{ ref('int_slo__sli_minute') }}){% endif %}"
    )
}}
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
        {{ last_minute_sql }} as last_minute_at
    from minutes

),
{%- if is_incremental() %}

previous as (

    {#- Rows left by the pre_hook: SLOs with the same definition and target. -#}
    select
        slo_id,
        min(minute_at) as first_minute_at,
        max(minute_at) as last_minute_at,
        max(case when valid_events > 0 then minute_at end) as last_traffic_minute_at
    from {{ this }}
    group by slo_id

),

resume as (

    {#- An SLO's minutes change only from the minute model's recompute start, the earliest
        last day with traffic; with no traffic at all yet, only new minutes are added. -#}
    select coalesce(
        min({{ dbt.date_trunc('day', 'last_traffic_minute_at') }}),
        min({{ dbt.date_trunc('day', 'last_minute_at') }})
    ) as resume_at
    from previous

),
{%- endif %}

slo_history as (

    select
        definitions.slo_id,
        definitions.target,
        definitions.definition_hash,
        history.first_minute_at,
        history.last_minute_at,
        {%- if is_incremental() %}
        case
            when previous.slo_id is null
                or previous.first_minute_at <> history.first_minute_at
                or resume.resume_at < history.first_minute_at
                then history.first_minute_at
            else resume.resume_at
        end as recompute_from_at
        {%- else %}
        history.first_minute_at as recompute_from_at
        {%- endif %}
    from definitions
    cross join history
    {%- if is_incremental() %}
    cross join resume
    left join previous on definitions.slo_id = previous.slo_id
    {%- endif %}
    where history.first_minute_at is not null

),

read_history as (

    {#- The window sums of a recomputed minute reach back at most the longest window. -#}
    select
        *,
        case
            when recompute_from_at = first_minute_at then first_minute_at
            else greatest(
                first_minute_at,
                {{ dbt.dateadd('minute', -longest_window, 'recompute_from_at') }}
            )
        end as read_from_at
    from slo_history

),

spine as (

    {{ slo_series('read_history', 'read_from_at', 'last_minute_at', 'minute', 'minute_at',
                  ['slo_id', 'target', 'definition_hash', 'recompute_from_at']) }}

),

filled as (

    select
        spine.slo_id,
        spine.target,
        spine.definition_hash,
        spine.recompute_from_at,
        spine.minute_at,
        cast(coalesce(minutes.valid_events, 0) as {{ dbt.type_bigint() }}) as valid_events,
        cast(coalesce(minutes.bad_events, 0) as {{ dbt.type_bigint() }}) as bad_events
    from spine
    left join minutes
        {{ join_on('spine', 'minutes', ['slo_id', 'minute_at']) }}

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
        {{ slo_round(slo_burn_rate('bad_' ~ label, 'valid_' ~ label, 'target')) }} as burn_rate_{{ label }},
        {%- endfor %}
        target,
        definition_hash
    from windowed
    where minute_at >= recompute_from_at

)

select * from final
