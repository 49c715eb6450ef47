{#- Per SLO per UTC hour: events, and the slices with traffic and the bad ones among them. -#}
with

slices as (

    select * from {{ ref('int_slo__sli_slices') }}

),

final as (

    select
        slo_id || '|' || cast({{ dbt.date_trunc('hour', 'slice_start_at') }} as {{ dbt.type_string() }}) as sli_hour_id,
        slo_id,
        {{ dbt.date_trunc('hour', 'slice_start_at') }} as hour_at,
        sum(valid_events) as valid_events,
        sum(good_events) as good_events,
        sum(bad_events) as bad_events,
        count(*) as data_slices,
        sum(case when is_bad_slice then 1 else 0 end) as bad_slices
    from slices
    group by slo_id, {{ dbt.date_trunc('hour', 'slice_start_at') }}

)

select * from final
