with

definitions as (

    select * from {{ ref('stg_slo_definitions') }}

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
        coalesce(time_slice_minutes, 1) as time_slice_minutes,
        baseline_target,
        baseline_measured_on,
        next_target,
        next_target_date,
        definition_hash,
        target >= 1 as is_zero_budget
    from definitions

)

select * from final
