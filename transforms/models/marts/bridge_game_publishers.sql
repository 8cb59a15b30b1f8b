{{ game_array_pairs('int_game_details__latest', 'publishers', 'publisher',
    {'id': 'bigint', 'name': 'varchar', 'slug': 'varchar'}) }}
