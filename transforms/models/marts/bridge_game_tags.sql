{{ game_array_pairs('int_games__latest', 'tags', 'tag',
    {'id': 'bigint', 'name': 'varchar', 'slug': 'varchar', 'language': 'varchar'}) }}
