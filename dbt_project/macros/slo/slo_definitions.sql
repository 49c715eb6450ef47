{#- The columns of an SLO definition (the slo_definitions table the SLO config loader writes), in
    order: stg_slo_definitions selects them from the source, int_slo__definitions from it (with
    its defaults and derived columns). -#}
{% macro slo_definition_columns() -%}
    {{ return([
        'slo_id', 'slo_name', 'display_name', 'description', 'service', 'source_file',
        'indicator_name', 'sli_type', 'latency_threshold_ms', 'latency_op', 'target',
        'window_kind', 'window_minutes', 'calendar_unit', 'calendar_time_zone', 'budgeting_method',
        'time_slice_target', 'time_slice_minutes', 'baseline_target', 'baseline_measured_on',
        'next_target', 'next_target_date', 'definition_hash',
    ]) }}
{%- endmacro %}
