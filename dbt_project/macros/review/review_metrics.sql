{#-
    The metrics of the weekly review that get a week-over-week change and can raise a corrective
    action (worse two weeks in a row): column name, which direction is better, and the name the
    review shows. Used by weekly_review_metric_changes and weekly_review.
-#}
{% macro review_metrics() -%}
    {{ return([
        {'name': 'deployment_frequency_per_day', 'better': 'higher', 'label': 'deployment frequency'},
        {'name': 'lead_time_median_minutes', 'better': 'lower', 'label': 'change lead time (median)'},
        {'name': 'change_fail_rate', 'better': 'lower', 'label': 'change fail rate'},
        {'name': 'failed_deployment_recovery_median_minutes', 'better': 'lower', 'label': 'failed deployment recovery time (median)'},
        {'name': 'rework_rate', 'better': 'lower', 'label': 'deployment rework rate'},
        {'name': 'slo_worst_remaining_budget_fraction', 'better': 'higher', 'label': 'error budget remaining (worst SLO)'},
        {'name': 'incidents', 'better': 'lower', 'label': 'incidents'},
        {'name': 'impact_minutes', 'better': 'lower', 'label': 'incident impact minutes'},
        {'name': 'revenue_at_risk_estimate', 'better': 'lower', 'label': 'revenue at risk in incidents (estimate)'},
        {'name': 'conversions_completed', 'better': 'higher', 'label': 'conversions'},
        {'name': 'conversion_rate', 'better': 'higher', 'label': 'conversion rate'},
        {'name': 'revenue', 'better': 'higher', 'label': 'revenue'},
        {'name': 'returning_user_rate', 'better': 'higher', 'label': 'returning users'},
        {'name': 'availability_sli', 'better': 'higher', 'label': 'success rate (journey requests)'},
        {'name': 'latency_sli', 'better': 'higher', 'label': 'fast requests (journey requests)'}
    ]) }}
{%- endmacro %}
