with

slo_definitions as (

    select * from {{ source('slo_config', 'slo_definitions') }}

),

final as (

    select
        slo_id,
        slo_name,
        display_name,
        description,
        service,
        source_file,
        indicator_name,
        sli_type,
        latency_threshold_ms,
        latency_op,
        target,
        window_kind,
        window_minutes,
        calendar_unit,
        calendar_time_zone,
        budgeting_method,
        time_slice_target,
        time_slice_minutes,
        baseline_target,
        baseline_measured_on,
        next_target,
        next_target_date,
        definition_hash
    from slo_definitions

)

select * from final
