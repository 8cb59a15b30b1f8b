{#-
  Growth is `added` gained per day since the game's previous snapshot, so a game seen again
  after a week does not outrank one that gained almost as much overnight.
-#}
with

snapshots as (

    select * from {{ ref('fct_game_daily_snapshots') }}
    where added_delta is not null and days_since_previous > 0

),

games as (

    select * from {{ ref('dim_games') }}

),

growth as (

    select
        snapshots.dt,
        snapshots.game_id,
        games.game_name,
        snapshots.added_count,
        snapshots.added_delta,
        snapshots.days_since_previous,
        cast(snapshots.added_delta as double) / snapshots.days_since_previous as added_per_day

    from snapshots
    left join games on snapshots.game_id = games.game_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by dt order by added_per_day desc, added_delta desc, game_id asc
        ) as trending_rank

    from growth

),

final as (

    select * from ranked
    where trending_rank <= {{ var('trending_top_n') }}

)

select * from final
