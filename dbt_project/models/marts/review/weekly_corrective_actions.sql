{#-
    One row per scope, ISO week and metric that got worse two weeks in a row (worse than the week
    before, which was itself worse than the week before it): the corrective actions the weekly
    review raises, with the three values.
-#}
with

changes as (

    select * from {{ ref('weekly_review_metric_changes') }}

),

final as (

    select
        weekly_metric_id as corrective_action_id,
        scope,
        scope_name,
        week_start,
        metric,
        metric_label,
        better_direction,
        value_two_weeks_ago,
        previous_value,
        metric_value,
        change_vs_previous_week
    from changes
    where is_worse_two_weeks_in_a_row

)

select * from final
