{#- Per SLO per time slice (the SLO's timeSliceWindow; 1 minute for Occurrences SLOs). A slice
    is bad when its own ratio good / valid is below timeSliceTarget (Timeslices SLOs only).

    Incremental, like int_slo__sli_minute: a run recomputes the slices from the start of the
    earliest last day among the SLOs here (a slice divides an hour, so days start on a slice) and
    appends the new ones. An SLO that is new, or whose selection, threshold or time slices
    changed, is recomputed over the whole history; its old rows are deleted first (pre_hook). -#}
{{
    config(
        materialized=cross_db_delete_insert_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['slo_id', 'slice_start_at'],
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ slo_definition_changed(['definition_hash', 'time_slice_minutes', 'time_slice_target']) }}{% endif %}"
    )
}}
with

minutes as (

    select * from {{ ref('int_slo__sli_minute') }}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),
{%- if is_incremental() %}

previous as (

    {#- Rows left by the pre_hook: SLOs with the same definition and time slices. -#}
    select
        slo_id,
        max(slice_start_at) as last_slice_start_at
    from {{ this }}
    group by slo_id

),

resume as (

    select min({{ dbt.date_trunc('day', 'last_slice_start_at') }}) as resume_at
    from previous

),
{%- endif %}

sliced as (

    select
        minutes.slo_id,
        {{ slo_slice_start('minutes.minute_at', 'definitions.time_slice_minutes') }} as slice_start_at,
        definitions.definition_hash,
        definitions.time_slice_minutes,
        definitions.time_slice_target,
        minutes.valid_events,
        minutes.good_events
    from minutes
    inner join definitions on minutes.slo_id = definitions.slo_id
    {%- if is_incremental() %}
    left join previous on minutes.slo_id = previous.slo_id
    cross join resume
    where previous.slo_id is null or minutes.minute_at >= resume.resume_at
    {%- endif %}

),

aggregated as (

    select
        slo_id,
        slice_start_at,
        definition_hash,
        time_slice_minutes,
        time_slice_target,
        sum(valid_events) as valid_events,
        sum(good_events) as good_events
    from sliced
    group by slo_id, slice_start_at, definition_hash, time_slice_minutes, time_slice_target

),

final as (

    select
        slo_id || '|' || cast(slice_start_at as {{ dbt.type_string() }}) as sli_slice_id,
        slo_id,
        slice_start_at,
        valid_events,
        good_events,
        valid_events - good_events as bad_events,
        coalesce(good_events < time_slice_target * valid_events, false) as is_bad_slice,
        definition_hash,
        time_slice_minutes,
        time_slice_target
    from aggregated

)

select * from final
