{#- The journey KPI logic shared by journey_kpis_daily and journey_kpis_weekly (the same
    definitions over a day or an ISO week; README.md, "Weekly review: Definitions"). -#}

{#- Aggregates of int_business__journey_events rows over a period (use in a grouped select). -#}
{% macro journey_conversion_aggregates() -%}
        sum(case when step_kind = 'started' then 1 else 0 end) as conversions_started,
        sum(case when step_kind = 'completed' then 1 else 0 end) as conversions_completed,
        sum(revenue) as revenue,
        count(revenue) as orders_with_revenue,
        case when count(distinct currency) > 1 then 'mixed' else max(currency) end as currency
{%- endmacro %}

{#- The conversion totals of relation `conversions` (from journey_conversion_aggregates) for a
    spine row: zeros for a period without events. -#}
{% macro journey_conversion_totals(conversions) -%}
        {{- zero_filled(conversions, [
            'conversions_started', 'conversions_completed', 'revenue', 'orders_with_revenue'
        ]) }},
        {{ conversions }}.currency
{%- endmacro %}

{#- The request totals of relation `requests` (per period: requests, good_requests,
    timed_requests, fast_requests, latency threshold and its source) for a spine row: zeros for
    a period without requests; the threshold then is review.latency_threshold_ms (`settings`). -#}
{% macro journey_request_totals(requests, settings='settings') -%}
        {{- zero_filled(requests, ['requests', 'good_requests', 'timed_requests', 'fast_requests']) }},
        coalesce({{ requests }}.latency_threshold_ms, {{ settings }}.latency_threshold_ms)
            as latency_threshold_ms,
        coalesce({{ requests }}.latency_threshold_source, 'config') as latency_threshold_source
{%- endmacro %}

{#- The conversion KPIs of the totals: counts, conversion rate = completed / started, revenue,
    average order value = revenue / completed steps with a revenue, currency. -#}
{% macro journey_conversion_kpis() -%}
        cast(conversions_started as {{ dbt.type_bigint() }}) as conversions_started,
        cast(conversions_completed as {{ dbt.type_bigint() }}) as conversions_completed,
        cast(conversions_completed as {{ cross_db_type_double() }}) / nullif(conversions_started, 0)
            as conversion_rate,
        cast(revenue as {{ cross_db_type_double() }}) as revenue,
        cast(revenue as {{ cross_db_type_double() }}) / nullif(orders_with_revenue, 0) as average_order_value,
        currency
{%- endmacro %}

{#- The journey SLIs of the totals: availability = good / requests, latency = fast / timed. -#}
{% macro journey_request_kpis() -%}
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(good_requests as {{ cross_db_type_double() }}) / nullif(requests, 0) as availability_sli,
        cast(fast_requests as {{ cross_db_type_double() }}) / nullif(timed_requests, 0) as latency_sli,
        cast(latency_threshold_ms as {{ cross_db_type_double() }}) as latency_threshold_ms,
        latency_threshold_source
{%- endmacro %}

{#- The import CTEs of the journey KPI marts (events, requests_daily, journeys, settings) and
    their scopes: every journey of stg_journeys and every (scope, journey) with events or requests.
    Opens the model's `with` list; ends with a comma. -#}
{% macro journey_kpi_inputs() -%}
events as (

    select * from {{ ref('int_business__journey_events') }}

),

requests_daily as (

    select * from {{ ref('int_business__journey_requests_daily') }}

),

journeys as (

    select * from {{ ref('stg_journeys') }}

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

scopes as (

    select 'journey' as scope, journey from journeys
    union
    select distinct scope, journey from events
    union
    select distinct scope, journey from requests_daily

),
{%- endmacro %}

{#- The spine of a journey KPI mart: every scope x every period (`period_column` of events and of
    `requests`: day_date, every day, or week_start, every week) from the first to the last period
    with events or requests, plus the `extra` expressions over `periods`. CTEs period_bounds,
    periods and spine; ends with a comma. -#}
{% macro journey_kpi_spine(requests, period_column, step_days, max_steps, extra=[]) -%}
period_bounds as (

    select
        min({{ period_column }}) as first_{{ period_column }},
        max({{ period_column }}) as last_{{ period_column }}
    from (
        select {{ period_column }} from events
        union all
        select {{ period_column }} from {{ requests }}
    ) as data_periods

),

periods as (

    {{ calendar_spine(
        'period_bounds', 'first_' ~ period_column, 'last_' ~ period_column, step_days, max_steps,
        period_column
    ) }}

),

spine as (

    {{ scope_spine('scopes', ['scope', 'journey'], 'periods', period_column, extra) }}

),
{%- endmacro %}

{#- The latency threshold source of a group of rows (an aggregate): the one source of
    `column`, or 'mixed' when the rows have more than one. -#}
{% macro journey_threshold_source(column='latency_threshold_source') -%}
    case
            when count(distinct {{ column }}) = 1 then max({{ column }})
            else 'mixed'
        end
{%- endmacro %}
