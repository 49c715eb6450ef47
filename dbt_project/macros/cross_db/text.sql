{#-
    Regular expressions (POSIX-like syntax shared by RE2, PostgreSQL and Java: classes, groups,
    anchors, quantifiers; no look-around, no backreferences in patterns).
-#}

{#- True when `pattern` matches anywhere in `value` (null when value is null). -#}
{% macro cross_db_regexp_matches(value, pattern) -%}
    {{ return(adapter.dispatch('cross_db_regexp_matches', 'reliability')(value, pattern)) }}
{%- endmacro %}

{% macro default__cross_db_regexp_matches(value, pattern) -%}
    ({{ value }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__cross_db_regexp_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro spark__cross_db_regexp_matches(value, pattern) -%}
    ({{ value }} rlike {{ pattern }})
{%- endmacro %}


{#- `value` with every match of `pattern` replaced by `replacement` (a literal: no group references,
    whose syntax differs: \1 on DuckDB and PostgreSQL, $1 on Spark). -#}
{% macro cross_db_regexp_replace(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('cross_db_regexp_replace', 'reliability')(value, pattern, replacement)) }}
{%- endmacro %}

{% macro default__cross_db_regexp_replace(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__cross_db_regexp_replace(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}


{#- Capture group `group` (1 = first) of the first match of `pattern` in `value`; null when
    there is no match (DuckDB and Spark return '' natively: made null here). -#}
{% macro cross_db_regexp_extract(value, pattern, group=1) -%}
    {{ return(adapter.dispatch('cross_db_regexp_extract', 'reliability')(value, pattern, group)) }}
{%- endmacro %}

{% macro default__cross_db_regexp_extract(value, pattern, group) -%}
    (regexp_match({{ value }}, {{ pattern }}))[{{ group }}]
{%- endmacro %}

{% macro duckdb__cross_db_regexp_extract(value, pattern, group) -%}
    case when regexp_matches({{ value }}, {{ pattern }})
        then regexp_extract({{ value }}, {{ pattern }}, {{ group }}) end
{%- endmacro %}

{% macro spark__cross_db_regexp_extract(value, pattern, group) -%}
    case when {{ value }} rlike {{ pattern }}
        then regexp_extract({{ value }}, {{ pattern }}, {{ group }}) end
{%- endmacro %}


{#- A column name quoted for the engine ("timestamp" on DuckDB/PostgreSQL, `timestamp` on Spark). -#}
{% macro cross_db_column(name) -%}
    {{ return(adapter.quote(name)) }}
{%- endmacro %}


{#- `value` LIKE `pattern` with a backslash escaping '%', '_' and '\' in the pattern, as it does
    by default on PostgreSQL and Spark; DuckDB's LIKE has no escape character unless told. -#}
{% macro cross_db_like(value, pattern) -%}
    {{ return(adapter.dispatch('cross_db_like', 'reliability')(value, pattern)) }}
{%- endmacro %}

{% macro default__cross_db_like(value, pattern) -%}
    ({{ value }} like {{ pattern }})
{%- endmacro %}

{% macro duckdb__cross_db_like(value, pattern) -%}
    ({{ value }} like {{ pattern }} escape '\')
{%- endmacro %}
