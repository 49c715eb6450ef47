{#- The materialization of a model built incrementally with the delete+insert strategy (and
    hooks that delete rows): 'incremental' where tables accept DELETE (DuckDB, PostgreSQL);
    'table' on Spark, whose Parquet tables have no DELETE and no MERGE (those need Delta Lake or
    Iceberg): there the model is rebuilt whole on each run. Same rows, more work per run.
    Use: config(materialized=cross_db_delete_insert_materialization(), ...). -#}
{% macro cross_db_delete_insert_materialization() -%}
    {{ return(adapter.dispatch('cross_db_delete_insert_materialization', 'reliability')()) }}
{%- endmacro %}

{% macro default__cross_db_delete_insert_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__cross_db_delete_insert_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
