{{ game_array_pairs('int_games__latest', 'stores', 'store',
    {'store_id': 'bigint', 'store_name': 'varchar', 'store_slug': 'varchar'}) }}
