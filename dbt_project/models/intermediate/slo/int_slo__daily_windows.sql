{#-
    One row per SLO per UTC day from the first to the last day with request data: the SLO
    window ending that day. The window ends at the end of the day, or at as_of_at for the last
    day (the end of the latest hour with data). Rolling: the window's duration before its end.
    Calendar: from the start of the week (ISO, Monday) or month containing the window's last
    minute, in the SLO's time zone. elapsed_start_at clips the window to the start of history.
-#}
with

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

minutes as (

    select * from {{ ref('int_slo__sli_minute') }}

),

history as (

    select
        {{ dbt.date_trunc('hour', 'min(minute_at)') }} as history_start_at,
        {{ dbt.dateadd('hour', 1, dbt.date_trunc('hour', 'max(minute_at)')) }} as as_of_at,
        {{ dbt.dateadd('minute', 1, 'max(minute_at)') }} as latest_data_at
    from minutes

),

bounds as (

    select
        definitions.slo_id,
        definitions.window_kind,
        definitions.window_minutes,
        definitions.calendar_unit,
        definitions.calendar_time_zone,
        history.history_start_at,
        history.as_of_at,
        history.latest_data_at,
        cast(history.history_start_at as date) as first_day_date,
        cast({{ dbt.dateadd('minute', -1, 'history.as_of_at') }} as date) as last_day_date
    from definitions
    cross join history
    where history.as_of_at is not null

),

days as (

    {{ slo_series('bounds', 'first_day_date', 'last_day_date', 'day', 'day_at',
                  ['slo_id', 'window_kind', 'window_minutes', 'calendar_unit', 'calendar_time_zone',
                   'history_start_at', 'as_of_at', 'latest_data_at']) }}

),

ends as (

    select
        *,
        cast(day_at as date) as day_date,
        case
            when {{ dbt.dateadd('day', 1, 'day_at') }} < as_of_at then {{ dbt.dateadd('day', 1, 'day_at') }}
            else as_of_at
        end as window_end_at
    from days

),

calendar_local as (

    select
        *,
        {{ cross_db_utc_to_local(dbt.dateadd('minute', -1, 'window_end_at'), 'calendar_time_zone') }} as last_minute_local
    from ends

),

periods as (

    select
        *,
        case
            when calendar_unit = 'week' then {{ dbt.date_trunc('week', 'last_minute_local') }}
            when calendar_unit = 'month' then {{ dbt.date_trunc('month', 'last_minute_local') }}
        end as period_start_local
    from calendar_local

),

windowed as (

    select
        *,
        case
            when window_kind = 'rolling'
                then {{ dbt.dateadd('minute', '-window_minutes', 'window_end_at') }}
            else {{ cross_db_local_to_utc('period_start_local', 'calendar_time_zone') }}
        end as window_start_at,
        case
            when window_kind = 'rolling' then window_minutes
            when calendar_unit = 'week' then 7 * 1440
            {#- cast: PostgreSQL's datediff is a double precision #}
            else cast({{ dbt.datediff(
                'period_start_local',
                dbt.dateadd('month', 1, 'period_start_local'),
                'minute') }} as {{ dbt.type_bigint() }})
        end as period_minutes
    from periods

),

final as (

    select
        slo_id || '|' || cast(day_date as {{ dbt.type_string() }}) as slo_day_id,
        slo_id,
        day_date,
        window_kind,
        window_start_at,
        window_end_at,
        case when window_start_at < history_start_at then history_start_at else window_start_at end
            as elapsed_start_at,
        cast({{ dbt.datediff(
            'case when window_start_at < history_start_at then history_start_at else window_start_at end',
            'window_end_at', 'minute') }} as {{ dbt.type_bigint() }}) as elapsed_minutes,
        period_minutes,
        window_start_at < history_start_at as is_partial_window,
        history_start_at,
        as_of_at,
        latest_data_at
    from windowed

)

select * from final
