{#-
    The review metrics (macro review_metrics) in long form, one row per scope, week and metric,
    with the value of the previous two weeks, the week-over-week change (value - previous value,
    in the metric's unit: rates as fractions) and whether it got worse: lower than the week before
    when higher is better, higher when lower is better. is_worse_two_weeks_in_a_row: worse than
    the previous week, which was itself worse than the week before (all three values known).
-#}
with

weekly as (

    select * from {{ ref('weekly_review_scopes') }}

),

metrics_long as (

    {%- for metric in review_metrics() %}
    select
        scope,
        scope_name,
        week_start,
        '{{ metric.name }}' as metric,
        '{{ metric.label }}' as metric_label,
        '{{ metric.better }}' as better_direction,
        cast({{ metric.name }} as {{ cross_db_type_double() }}) as metric_value
    from weekly
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

with_history as (

    select
        *,
        lag(metric_value, 1) over (
            partition by scope, scope_name, metric order by week_start
        ) as previous_value,
        lag(metric_value, 2) over (
            partition by scope, scope_name, metric order by week_start
        ) as value_two_weeks_ago
    from metrics_long

),

flagged as (

    select
        *,
        metric_value - previous_value as change_vs_previous_week,
        case
            when better_direction = 'higher' then metric_value < previous_value
            else metric_value > previous_value
        end as is_worse,
        case
            when better_direction = 'higher' then previous_value < value_two_weeks_ago
            else previous_value > value_two_weeks_ago
        end as was_worse
    from with_history

),

final as (

    select
        {{ row_key(['scope', 'scope_name', 'week_start', 'metric'], 'weekly_metric_id') }},
        metric_label,
        better_direction,
        metric_value,
        previous_value,
        value_two_weeks_ago,
        change_vs_previous_week,
        coalesce(is_worse, false) as is_worse,
        coalesce(is_worse and was_worse, false) as is_worse_two_weeks_in_a_row
    from flagged

)

select * from final
