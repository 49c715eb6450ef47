{#-
    The Spark target reads its sources from the Parquet lake that the extract assets write
    (orchestration/lake.py): <lake>/<table>/date=YYYY-MM-DD/*.parquet for the datasets, and one
    snapshot file per configuration and SLO table. Run as on-run-start hook: for every source table
    in the schema `raw` (sources `raw` and `slo_config`), (re)create an external table raw.<table>
    over <lake>/<table>, so each run sees every batch written so far. Other engines read the raw tables loaded into them: nothing to do.

    The lake is RELIABILITY_SPARK_LAKE (the URL as the cluster sees it, e.g. s3a://bucket/lake),
    else RELIABILITY_LAKE. Only tables listed in <lake>/_tables/ (written with each table's first
    file) are created; a source the lake lacks is reported and left to fail where it is used.
    A source table with `meta: {lake: false}` is skipped.
-#}
{% macro create_lake_sources() -%}
    {{ return(adapter.dispatch('create_lake_sources', 'reliability')()) }}
{%- endmacro %}

{% macro default__create_lake_sources() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__create_lake_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('RELIABILITY_SPARK_LAKE', env_var('RELIABILITY_LAKE', '')) | trim -%}
        {%- if not lake -%}
            {{ exceptions.raise_compiler_error("The spark target reads its sources from the lake: set RELIABILITY_LAKE (reliability run --target spark does).") }}
        {%- endif -%}
        {%- set lake = lake.rstrip('/') -%}
        {%- set listed = run_query("select trim(value) as name from text.`" ~ lake ~ "/_tables`").columns[0].values() -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' and source.meta.get('lake', true) -%}
            {%- if source.identifier not in listed -%}
                {{ log("lake: no " ~ source.identifier ~ " in " ~ lake ~ "; raw." ~ source.identifier ~ " not created", info=true) }}
            {%- else -%}
            {%- if source.schema not in schemas -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ " using parquet options (recursiveFileLookup 'true') location '"
                ~ lake ~ '/' ~ source.identifier ~ "'"
            ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
