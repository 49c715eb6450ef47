with

review_settings as (

    select * from {{ source('review_raw', 'review_settings') }}

),

final as (

    select
        timezone,
        latency_threshold_ms,
        baseline_weeks,
        pattern_weeks,
        chart_weeks,
        postmortem_severities
    from review_settings

)

select * from final
