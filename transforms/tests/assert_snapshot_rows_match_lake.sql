{#-
  fct_game_daily_snapshots holds one row per distinct game of each lake partition: no game
  lost, none counted twice. Returns the days that disagree. An incremental build checks the
  partitions it landed (macros/landed_slice.sql); a partition is landed whole.
-#}
{%- set since = landed_since() %}
with

lake as (

    select
        {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }} as dt,
        count(distinct id) as games

    from {{ source('rawg', 'games') }}
    where id is not null {% if since is not none %}and _ingested_at >= {{ since }}{% endif %}
    group by {{ dbt.safe_cast('dt', api.Column.translate_type('date')) }}

),

snapshots as (

    select
        dt,
        count(*) as games
    from {{ ref('fct_game_daily_snapshots') }}
    {% if since is not none %}where dt in (select lake.dt from lake){% endif %}
    group by dt

)

select
    coalesce(lake.dt, snapshots.dt) as dt,
    lake.games as games_in_lake,
    snapshots.games as games_in_snapshots

from lake
full outer join snapshots on lake.dt = snapshots.dt
where lake.games is distinct from snapshots.games
