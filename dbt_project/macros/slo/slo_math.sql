{#- Error budget math shared by the SLO models. Every division is guarded: no division by zero. -#}

{#- Burn-rate alert factor: budget fraction x period hours / long-window hours (SRE workbook). -#}
{% macro slo_burn_factor(budget_fraction, period_minutes, long_window_minutes) -%}
    ({{ budget_fraction }} * cast({{ period_minutes }} as {{ cross_db_type_double() }}) / {{ long_window_minutes }})
{%- endmacro %}

{#- (bad / valid) / (1 - target); null without valid events or with a 100% target. -#}
{% macro slo_burn_rate(bad, valid, target) -%}
    case
        when {{ valid }} > 0 and {{ target }} < 1
            then cast({{ bad }} as {{ cross_db_type_double() }}) / {{ valid }} / (1 - {{ target }})
    end
{%- endmacro %}

{#- num / den, null when den is 0 or null. -#}
{% macro slo_safe_divide(num, den) -%}
    case when ({{ den }}) <> 0 then cast({{ num }} as {{ cross_db_type_double() }}) / ({{ den }}) end
{%- endmacro %}

{#- The policy: no_data, freeze (exhausted, or remaining at/below freeze), caution, ship. -#}
{% macro slo_decision(remaining_fraction, is_exhausted, has_data, budget_events, caution_at_or_below, freeze_at_or_below) -%}
    case
        when not {{ has_data }} then 'no_data'
        when {{ is_exhausted }}
            or ({{ budget_events }} > 0 and {{ remaining_fraction }} <= {{ freeze_at_or_below }})
            then 'freeze'
        when {{ remaining_fraction }} is null
            or {{ remaining_fraction }} <= {{ caution_at_or_below }}
            then 'caution'
        else 'ship'
    end
{%- endmacro %}

{#- Reported ratios are rounded to 9 decimals, so that 0.009 / 0.01 reads 0.9, not 0.8999999999999999. -#}
{% macro slo_round(expression) -%}
    {{ cross_db_round(expression, 9) }}
{%- endmacro %}

{#- A fraction as percent text with one decimal (0.12345 -> '12.3', 1 -> '100.0'): through
    decimal(18, 3), then rounded. decimal(18, 3) is DuckDB's `numeric`, spelled out because
    `numeric` is decimal(10, 0) on Spark and unbounded on PostgreSQL. -#}
{% macro slo_percent_text(fraction) -%}
    cast(round(cast({{ fraction }} * 100 as decimal(18, 3)), 1) as {{ dbt.type_string() }})
{%- endmacro %}
