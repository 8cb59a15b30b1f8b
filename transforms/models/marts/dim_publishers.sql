{{ latest_snapshot('stg_rawg__publishers', 'publisher_id') }}
