{#-
    The DORA performance band of `value` for `metric`: the band of the lowest band_rank whose
    condition holds. All band logic is here.

    `thresholds` is a one-row relation with, for every metric and rank 1..`ranks`, the columns
    <metric>_<rank>_band, <metric>_<rank>_comparison ('>=', '>', '<=' or '<') and
    <metric>_<rank>_threshold, pivoted from the dora_performance_bands seed for the report year
    (see dora_weekly). A null value has no band; a value no rank matches (an incomplete seed) has
    none either.
-#}
{% macro dora_band(metric, value, thresholds='thresholds', ranks=4) -%}
case
    when {{ value }} is null then null
    {%- for rank in range(1, ranks + 1) %}
    {%- set prefix = thresholds ~ '.' ~ metric ~ '_' ~ rank %}
    when ({{ prefix }}_comparison = '>=' and {{ value }} >= {{ prefix }}_threshold)
        or ({{ prefix }}_comparison = '>' and {{ value }} > {{ prefix }}_threshold)
        or ({{ prefix }}_comparison = '<=' and {{ value }} <= {{ prefix }}_threshold)
        or ({{ prefix }}_comparison = '<' and {{ value }} < {{ prefix }}_threshold)
        then {{ prefix }}_band
    {%- endfor %}
end
{%- endmacro %}
