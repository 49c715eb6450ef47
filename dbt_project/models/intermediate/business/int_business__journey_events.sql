{#-
    Conversion events of the journeys, once per journey (scope 'journey') and once more for all
    journeys together (scope 'all', journey 'all'), with the UTC day and ISO week (Monday).
    Revenue is the revenue of completed steps only.
-#}
with

conversions as (

    select * from {{ ref('stg_conversions') }}

),

journey_events as (

    select
        'journey' as scope,
        journey,
        event_id,
        occurred_at,
        occurred_date as day_date,
        cast({{ dbt.date_trunc('week', 'occurred_at') }} as date) as week_start,
        step_kind,
        user_key_hash,
        case
            when step_kind = 'completed' then cast(revenue as {{ cross_db_type_double() }})
        end as revenue,
        case when step_kind = 'completed' then currency end as currency
    from conversions

),

scoped as (

    select * from journey_events
    union all
    select
        'all' as scope,
        'all' as journey,
        event_id,
        occurred_at,
        day_date,
        week_start,
        step_kind,
        user_key_hash,
        revenue,
        currency
    from journey_events

),

final as (

    select
        {{ dbt.concat(['scope', "':'", 'event_id']) }} as journey_event_id,
        *
    from scoped

)

select * from final
