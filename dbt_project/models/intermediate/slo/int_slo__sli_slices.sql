{#- Per SLO per time slice (the SLO's timeSliceWindow; 1 minute for Occurrences SLOs). A slice
    is bad when its own ratio good / valid is below timeSliceTarget (Timeslices SLOs only). -#}
with

minutes as (

    select * from {{ ref('int_slo__sli_minute') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

sliced as (

    select
        minutes.slo_id,
        {{ slo_slice_start('minutes.minute_at', 'definitions.time_slice_minutes') }} as slice_start_at,
        definitions.time_slice_target,
        minutes.valid_events,
        minutes.good_events
    from minutes
    inner join definitions on minutes.slo_id = definitions.slo_id

),

aggregated as (

    select
        slo_id,
        slice_start_at,
        time_slice_target,
        sum(valid_events) as valid_events,
        sum(good_events) as good_events
    from sliced
    group by slo_id, slice_start_at, time_slice_target

),

final as (

    select
        slo_id || '|' || cast(slice_start_at as {{ dbt.type_string() }}) as sli_slice_id,
        slo_id,
        slice_start_at,
        valid_events,
        good_events,
        valid_events - good_events as bad_events,
        coalesce(good_events < time_slice_target * valid_events, false) as is_bad_slice
    from aggregated

)

select * from final
