{#-
    MetricFlow's time spine: one row per UTC day from var semantic_time_spine_start to
    var semantic_time_spine_end (inclusive). MetricFlow joins metrics to it to turn days into
    weeks (ISO, Monday) and to fill weeks without rows (deployments 0, not a gap).
-#}
{{ config(materialized='table', schema='marts') }}

with

bounds as (

    select
        cast('{{ var("semantic_time_spine_start", "2000-01-01") }}' as date) as first_day,
        cast('{{ var("semantic_time_spine_end", "2099-12-31") }}' as date) as last_day

),

days as (

    select {{ cross_db_series('first_day', 'last_day', 'day') }} as day_at
    from bounds

),

final as (

    select cast(day_at as date) as date_day
    from days

)

select * from final
