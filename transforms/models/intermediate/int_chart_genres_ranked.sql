{#-
  Each report day's chart genres: the `report_chart_genres` genres with the most releases over
  the chart's months, ranked; ties go to the name, then the id.
-#}
with

genre_months as (

    select * from {{ ref('int_chart_genre_releases_counted') }}

),

genres as (

    select
        genre_id,
        genre_name
    from {{ ref('dim_genres') }}

),

genre_totals as (

    select
        genre_months.report_date,
        genre_months.genre_id,
        genres.genre_name,
        sum(genre_months.releases) as releases

    from genre_months
    inner join genres on genre_months.genre_id = genres.genre_id
    group by genre_months.report_date, genre_months.genre_id, genres.genre_name

),

top_genres as (

    select
        report_date,
        genre_id,
        genre_name,
        row_number() over (
            partition by report_date order by releases desc, genre_name asc, genre_id asc
        ) as series_rank

    from genre_totals

),

final as (

    select * from top_genres
    where series_rank <= {{ var('report_chart_genres') }}

)

select * from final
