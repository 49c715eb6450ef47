{#- The date spine of a model: one row per date (`as_column`) from `bounds`.`first_column` to
    `bounds`.`last_column` (a one-row relation of dates), every `step_days` days (1: days, 7: ISO
    weeks when first_column is a Monday), at most `max_steps` rows. Every day or week is present,
    with or without data, so that a quiet period is a zero, not a gap. Used by the daily and
    weekly marts (dora_weekly, journey_kpis_daily, journey_kpis_weekly, weekly_review_scopes). -#}
{% macro calendar_spine(bounds, first_column, last_column, step_days, max_steps, as_column) -%}
    select
        cast({{ dbt.dateadd('day', '(numbers.generated_number - 1) * ' ~ step_days, bounds ~ '.' ~ first_column) }} as date)
            as {{ as_column }}
    from {{ bounds }}
    cross join ({{ dbt.generate_series(max_steps) }}) as numbers
    where (numbers.generated_number - 1) * {{ step_days }}
        <= {{ dbt.datediff(bounds ~ '.' ~ first_column, bounds ~ '.' ~ last_column, 'day') }}
{%- endmacro %}
