{#- Our own stand-in for dbt_utils.unique_combination_of_columns (the hub is unreachable). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
