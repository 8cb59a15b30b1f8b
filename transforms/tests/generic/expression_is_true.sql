{#- Our own stand-in for dbt_utils.expression_is_true: returns the rows that break it. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
