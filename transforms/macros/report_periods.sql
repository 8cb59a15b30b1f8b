{#-
  Counting the games seen in a period of `report_period_days` days without a distinct count
  per period: a snapshot on `dt` puts its game in the periods ending on `dt` through
  `dt + report_period_days - 1`, and each snapshot claims only the end days its game's
  previous snapshot left unclaimed. The claims of one game never overlap, so the games seen
  in the period ending on a day are the claims open on that day: a running sum of claims
  opened (+1) and closed (-1) per day, one pass over the snapshots.
-#}

{#- A date `days` (a number or SQL) days after `date_expr`, before when negative, as a date. -#}
{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{#-
  The select of each snapshot's claim: `game_id`, `claimed_from` and `claimed_until`
  (exclusive), from a relation with `game_id`, `dt` and `previous_dt` (the game's snapshot
  before). Extra `columns` of the relation are carried along.
-#}
{% macro period_claims(snapshots, columns=[]) -%}
    {%- set period = var('report_period_days') -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        game_id,
        case
            when previous_dt is null or {{ add_days('previous_dt', period) }} <= dt then dt
            else {{ add_days('previous_dt', period) }}
        end as claimed_from,
        {{ add_days('dt', period) }} as claimed_until

    from {{ snapshots }}
{%- endmacro %}

{#-
  The select of `games_seen` per report day of `report_days` (a relation with `report_date`,
  every day from the first snapshot day on) from `claims`; per `member_id` as well when given
  (a column of `claims`, e.g. a genre the claiming game has).
-#}
{% macro games_seen_per_day(report_days, claims, member_id=none) -%}
    {%- set by = member_id ~ ', ' if member_id else '' -%}
    select
        {{ report_days }}.report_date,
        {%- if member_id %}
        members.{{ member_id }},
        {%- endif %}
        sum(coalesce(changes.games, 0)) over (
            {%- if member_id %}
            partition by members.{{ member_id }}
            {%- endif %}
            order by {{ report_days }}.report_date
            rows between unbounded preceding and current row
        ) as games_seen

    from {{ report_days }}
    {%- if member_id %}
    cross join (select distinct {{ member_id }} from {{ claims }}) as members
    {%- endif %}
    left join (
        select
            {{ by }}case when sides.is_close then claimed_until else claimed_from end as change_date,
            sum(case when sides.is_close then -1 else 1 end) as games

        from {{ claims }}
        cross join (select false as is_close union all select true as is_close) as sides
        group by {{ by }}case when sides.is_close then claimed_until else claimed_from end
    ) as changes
        on {{ report_days }}.report_date = changes.change_date
        {%- if member_id %}
        and members.{{ member_id }} = changes.{{ member_id }}
        {%- endif %}
{%- endmacro %}
