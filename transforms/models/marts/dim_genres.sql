{{ latest_snapshot('stg_rawg__genres', 'genre_id') }}
