{#- The scope fan-out of the weekly marts (dora_weekly, weekly_review_scopes, weekly_review,
    journey_kpis_daily, journey_kpis_weekly): facts counted once per scope they belong to (one
    service, one team, everything), a spine of every scope x every period, and the spine's joins
    to the per-scope aggregates. -#}

{#- One row of `relation` per scope it belongs to: for each (scope, expression) pair of `scopes`,
    the rows whose expression is not null, with scope = the pair's scope and scope_name = the
    expression (a quoted constant such as 'all' for everything). `columns`: the other columns
    (expressions with their aliases); `where`: an optional condition on every row. A union all,
    to use as a CTE body. -#}
{% macro scope_fan_out(relation, scopes, columns, where=none) -%}
    {%- for scope, scope_name in scopes %}
    select
        '{{ scope }}' as scope,
        {{ scope_name }} as scope_name,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- set conditions = [] %}
    {%- if not scope_name.startswith("'") %}
        {%- do conditions.append(scope_name ~ ' is not null') %}
    {%- endif %}
    {%- if where %}
        {%- do conditions.append('(' ~ where ~ ')') %}
    {%- endif %}
    {%- if conditions %}
    where {{ conditions | join('\n        and ') }}
    {%- endif %}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The scopes of the DORA marts: each service, each team, everything. -#}
{% macro service_team_all_scopes(relation) -%}
    {{ return([
        ('service', relation ~ '.service'),
        ('team', relation ~ '.team'),
        ('all', "'all'"),
    ]) }}
{%- endmacro %}

{#- Every scope x every period: `scopes` (columns `scope_columns`) cross joined with `periods`
    (column `period_column`), plus the `extra` expressions (with their aliases). -#}
{% macro scope_spine(scopes, scope_columns, periods, period_column, extra=[]) -%}
    select
        {%- for column in scope_columns %}
        {{ scopes }}.{{ column }},
        {%- endfor %}
        {{ periods }}.{{ period_column }}
        {%- for expression in extra %},
        {{ expression }}
        {%- endfor %}
    from {{ scopes }}
    cross join {{ periods }}
{%- endmacro %}

{#- `left` joined to `right` on the same scope, scope name and week_start (`scope_name_column`
    names the scope name in `right` when it is not scope_name). -#}
{% macro scope_join(left, right, scope_name_column='scope_name') -%}
    {{ join_on(left, right, ['scope', ('scope_name', scope_name_column), 'week_start']) }}
{%- endmacro %}

{#- The `columns` of `relation` (an aggregate left joined to a spine) under their own names, 0
    for a period without rows: a quiet period is a zero, not a gap. Use in a select list. -#}
{% macro zero_filled(relation, columns) -%}
    {%- for column in columns %}
        coalesce({{ relation }}.{{ column }}, 0) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
