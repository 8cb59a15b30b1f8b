{#-
  A key: no two rows share the columns and none of them is null. One scan says what a
  `unique_combination` test and a `not_null` test per key column would each say in a scan of
  their own, and every test node costs a build its compile and its query. The failing rows
  are the keys that repeat and the groups with a null part.
-#}
{% test primary_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- for column in columns %}
    or {{ column }} is null
{%- endfor %}
{% endtest %}
