{#- Per SLO per UTC day: events and slices, rolled up from the hours. -#}
with

hours as (

    select * from {{ ref('int_slo__sli_hourly') }}

),

final as (

    select
        slo_id || '|' || cast(cast(hour_at as date) as {{ dbt.type_string() }}) as sli_day_id,
        slo_id,
        cast(hour_at as date) as day_date,
        sum(valid_events) as valid_events,
        sum(good_events) as good_events,
        sum(bad_events) as bad_events,
        {{ slo_safe_divide('sum(good_events)', 'sum(valid_events)') }} as sli,
        sum(data_slices) as data_slices,
        sum(bad_slices) as bad_slices
    from hours
    group by slo_id, cast(hour_at as date)

)

select * from final
