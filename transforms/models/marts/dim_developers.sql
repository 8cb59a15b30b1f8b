{{ latest_snapshot('stg_rawg__developers', 'developer_id') }}
