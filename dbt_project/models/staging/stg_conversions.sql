with

source as (

    select * from {{ source('raw', 'conversions') }}

),

steps as (

    select * from {{ source('raw', 'config_journey_steps') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by event_id order by _loaded_at desc, _source_record desc
        ) as version_rank
    from source

),

final as (

    select
        latest.event_id,
        latest.{{ adapter.quote("timestamp") }} as occurred_at,
        cast(latest.{{ adapter.quote("timestamp") }} as date) as occurred_date,
        latest.journey,
        latest.step,
        coalesce(steps.step_kind, 'other') as step_kind,
        latest.user_key as user_key_hash,
        latest.revenue,
        latest.currency
    from latest
    left join steps
        {{ join_on('latest', 'steps', ['journey', 'step']) }}
    where latest.version_rank = 1

)

select * from final
