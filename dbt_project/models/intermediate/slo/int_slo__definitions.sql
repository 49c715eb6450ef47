with

definitions as (

    select * from {{ ref('stg_slo_definitions') }}

),

final as (

    select
        {%- for column in slo_definition_columns() %}
        {%- if column == 'time_slice_minutes' %}
        coalesce(time_slice_minutes, 1) as time_slice_minutes,
        {%- else %}
        {{ column }},
        {%- endif %}
        {%- endfor %}
        target >= 1 as is_zero_budget
    from definitions

)

select * from final
