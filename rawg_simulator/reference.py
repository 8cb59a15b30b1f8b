"""RAWG's reference data, one copy for the sandbox and the lake generator.

Ids, names, slugs and real ``games_count`` values come from RAWG responses (the files named
beside each table); the word lists are what synthetic game and studio names are made of.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

# (id, name, slug, real games_count used as sampling weight) -- genres_list_2024-08.json
GENRES: tuple[tuple[int, str, str, int], ...] = (
    (4, "Action", "action", 181655),
    (51, "Indie", "indie", 68073),
    (3, "Adventure", "adventure", 141347),
    (5, "RPG", "role-playing-games-rpg", 56813),
    (10, "Strategy", "strategy", 57092),
    (2, "Shooter", "shooter", 59493),
    (40, "Casual", "casual", 55258),
    (14, "Simulation", "simulation", 70542),
    (7, "Puzzle", "puzzle", 97293),
    (11, "Arcade", "arcade", 22659),
    (83, "Platformer", "platformer", 100795),
    (1, "Racing", "racing", 24901),
    (59, "Massively Multiplayer", "massively-multiplayer", 3731),
    (15, "Sports", "sports", 21640),
    (6, "Fighting", "fighting", 11756),
    (19, "Family", "family", 5396),
    (28, "Board Games", "board-games", 8378),
    (34, "Educational", "educational", 15681),
    (17, "Card", "card", 4529),
)

# (id, name, slug, real games_count, year_start, year_end) -- platforms_list_page1_2024-08.json;
# that page holds 50 of RAWG's 51 platforms, the 51st (Web) comes from the parents list.
PLATFORMS: tuple[tuple[int, str, str, int, int | None, int | None], ...] = (
    (4, "PC", "pc", 534389, None, None),
    (187, "PlayStation 5", "playstation5", 1104, 2020, None),
    (1, "Xbox One", "xbox-one", 5638, None, None),
    (18, "PlayStation 4", "playstation4", 6825, None, None),
    (186, "Xbox Series S/X", "xbox-series-x", 970, 2020, None),
    (7, "Nintendo Switch", "nintendo-switch", 5502, None, None),
    (3, "iOS", "ios", 77351, None, None),
    (21, "Android", "android", 52373, None, None),
    (8, "Nintendo 3DS", "nintendo-3ds", 1693, None, None),
    (9, "Nintendo DS", "nintendo-ds", 2484, None, None),
    (13, "Nintendo DSi", "nintendo-dsi", 37, None, None),
    (5, "macOS", "macos", 104490, None, None),
    (6, "Linux", "linux", 77381, None, None),
    (14, "Xbox 360", "xbox360", 2804, None, None),
    (80, "Xbox", "xbox-old", 739, None, None),
    (16, "PlayStation 3", "playstation3", 3164, None, None),
    (15, "PlayStation 2", "playstation2", 2039, None, None),
    (27, "PlayStation", "playstation1", 1670, None, None),
    (19, "PS Vita", "ps-vita", 1447, None, None),
    (17, "PSP", "psp", 1370, None, None),
    (10, "Wii U", "wii-u", 1126, None, None),
    (11, "Wii", "wii", 2230, None, None),
    (105, "GameCube", "gamecube", 635, None, None),
    (83, "Nintendo 64", "nintendo-64", 363, None, None),
    (24, "Game Boy Advance", "game-boy-advance", 954, None, None),
    (43, "Game Boy Color", "game-boy-color", 419, None, None),
    (26, "Game Boy", "game-boy", 611, None, None),
    (79, "SNES", "snes", 969, None, None),
    (49, "NES", "nes", 988, None, None),
    (55, "Classic Macintosh", "macintosh", 674, None, None),
    (41, "Apple II", "apple-ii", 424, None, None),
    (166, "Commodore / Amiga", "commodore-amiga", 2080, None, None),
    (28, "Atari 7800", "atari-7800", 64, None, None),
    (31, "Atari 5200", "atari-5200", 64, None, None),
    (23, "Atari 2600", "atari-2600", 286, None, None),
    (22, "Atari Flashback", "atari-flashback", 30, None, None),
    (25, "Atari 8-bit", "atari-8-bit", 308, None, None),
    (34, "Atari ST", "atari-st", 836, None, None),
    (46, "Atari Lynx", "atari-lynx", 57, None, None),
    (50, "Atari XEGS", "atari-xegs", 22, None, None),
    (167, "Genesis", "genesis", 836, None, None),
    (107, "SEGA Saturn", "sega-saturn", 367, None, None),
    (119, "SEGA CD", "sega-cd", 162, None, None),
    (117, "SEGA 32X", "sega-32x", 46, None, None),
    (74, "SEGA Master System", "sega-master-system", 231, None, None),
    (106, "Dreamcast", "dreamcast", 362, None, None),
    (111, "3DO", "3do", 97, None, None),
    (112, "Jaguar", "jaguar", 39, None, None),
    (77, "Game Gear", "game-gear", 223, None, None),
    (12, "Neo Geo", "neogeo", 123, None, None),
    (171, "Web", "web", 260086, None, None),
)

# (id, name, slug, child platform ids) -- platforms_parents_list_2024-08.json
PARENT_PLATFORMS: tuple[tuple[int, str, str, tuple[int, ...]], ...] = (
    (1, "PC", "pc", (4,)),
    (2, "PlayStation", "playstation", (187, 18, 16, 15, 27, 19, 17)),
    (3, "Xbox", "xbox", (1, 186, 14, 80)),
    (4, "iOS", "ios", (3,)),
    (8, "Android", "android", (21,)),
    (5, "Apple Macintosh", "mac", (5, 55, 41)),
    (6, "Linux", "linux", (6,)),
    (7, "Nintendo", "nintendo", (7, 8, 9, 13, 10, 11, 105, 83, 24, 43, 26, 79, 49)),
    (9, "Atari", "atari", (28, 31, 23, 22, 25, 34, 46, 50, 112)),
    (10, "Commodore / Amiga", "commodore-amiga", (166,)),
    (11, "SEGA", "sega", (167, 107, 119, 117, 74, 106, 77)),
    (12, "3DO", "3do", (111,)),
    (13, "Neo Geo", "neo-geo", (12,)),
    (14, "Web", "web", (171,)),
)

# (id, name, slug, domain, games_count) -- the ten RAWG stores seen in the samples
STORES: tuple[tuple[int, str, str, str, int], ...] = (
    (1, "Steam", "steam", "store.steampowered.com", 123076),
    (2, "Xbox Store", "xbox-store", "microsoft.com", 4934),
    (3, "PlayStation Store", "playstation-store", "store.playstation.com", 8069),
    (4, "App Store", "apple-appstore", "apps.apple.com", 75559),
    (5, "GOG", "gog", "gog.com", 6270),
    (6, "Nintendo Store", "nintendo", "nintendo.com", 9045),
    (7, "Xbox 360 Store", "xbox360", "marketplace.xbox.com", 1915),
    (8, "Google Play", "google-play", "play.google.com", 17097),
    (9, "itch.io", "itch", "itch.io", 721843),
    (11, "Epic Games", "epic-games", "epicgames.com", 1438),
)

# Which stores sell games of a platform; a game gets a subset of its platforms' stores.
STORES_BY_PLATFORM: dict[int, tuple[int, ...]] = {
    4: (1, 5, 11, 9),
    5: (1, 9),
    6: (1, 9),
    187: (3,),
    18: (3,),
    16: (3,),
    19: (3,),
    1: (2,),
    186: (2,),
    14: (7,),
    3: (4,),
    21: (8,),
    7: (6,),
    10: (6,),
    8: (6,),
    171: (9,),
}

# (id, name, slug, language, games_count) -- most frequent tags in the samples
TAGS: tuple[tuple[int, str, str, str, int], ...] = (
    (31, "Singleplayer", "singleplayer", "eng", 207421),
    (45, "2D", "2d", "eng", 196595),
    (122, "Pixel Graphics", "pixel-graphics", "eng", 91082),
    (571, "3D", "3d", "eng", 79260),
    (111, "Short", "short", "eng", 57778),
    (42398, "Инди", "indi-2", "rus", 44459),
    (16, "Horror", "horror", "eng", 43411),
    (25, "Space", "space", "eng", 43056),
    (74, "Retro", "retro", "eng", 40460),
    (7, "Multiplayer", "multiplayer", "eng", 35401),
    (42396, "Для одного игрока", "dlia-odnogo-igroka", "rus", 31845),
    (42417, "Экшен", "ekshen", "rus", 30736),
    (42399, "Казуальная игра", "kazualnaia-igra", "rus", 29941),
    (40847, "Steam Achievements", "steam-achievements", "eng", 29226),
    (13, "Atmospheric", "atmospheric", "eng", 29019),
    (91686, "Family Sharing", "family-sharing", "eng", 28808),
    (8, "First-Person", "first-person", "eng", 28739),
    (42392, "Приключение", "prikliuchenie", "rus", 28679),
    (88, "Cute", "cute", "eng", 28316),
    (136, "Music", "music", "eng", 25912),
    (64, "Fantasy", "fantasy", "eng", 24386),
    (4, "Funny", "funny", "eng", 22796),
    (61, "Top-Down", "top-down", "eng", 22508),
    (6, "Exploration", "exploration", "eng", 19050),
    (118, "Story Rich", "story-rich", "eng", 17943),
    (114, "Physics", "physics", "eng", 17834),
    (32, "Sci-fi", "sci-fi", "eng", 17203),
    (165, "Colorful", "colorful", "eng", 17031),
    (24, "RPG", "rpg", "eng", 16634),
    (112, "Minimalist", "minimalist", "eng", 15419),
    (42413, "Симулятор", "simuliator", "rus", 14295),
    (42421, "Стратегия", "strategiia", "rus", 14206),
    (41, "Dark", "dark", "eng", 14071),
    (117, "Mystery", "mystery", "eng", 13771),
    (40836, "Full controller support", "full-controller-support", "eng", 13734),
    (69, "Action-Adventure", "action-adventure", "eng", 13454),
    (40849, "Steam Cloud", "steam-cloud", "eng", 13431),
    (141, "Point & Click", "point-click", "eng", 13268),
    (42412, "Ролевая игра", "rolevaia-igra", "rus", 12981),
    (49, "Difficult", "difficult", "eng", 12796),
    (72, "Local Multiplayer", "local-multiplayer", "eng", 12511),
    (30, "FPS", "fps", "eng", 12472),
    (36, "Open World", "open-world", "eng", 9251),
    (18, "Co-op", "co-op", "eng", 14375),
)

# (id, name, slug, name_ru) -- ESRB ratings as RAWG serves them
ESRB_RATINGS: tuple[tuple[int, str, str, str], ...] = (
    (1, "Everyone", "everyone", "Для всех"),
    (2, "Everyone 10+", "everyone-10-plus", "С 10 лет"),
    (3, "Teen", "teen", "С 13 лет"),
    (4, "Mature", "mature", "С 17 лет"),
    (5, "Adults Only", "adults-only", "Только для взрослых"),
)

# Pieces of the system requirements RAWG copies from the stores into list items (see
# games_list_page1_2026-01.json): Steam's HTML for PC and Linux, plain text elsewhere.
# fmt: off
REQUIREMENT_OS = (
    "Windows 7 64-bit", "Windows 10 64-bit", "Windows 10/11 (64-bit)", "Windows® 7/Vista/XP",
    "Windows 8.1 64 Bit, Windows 7 64 Bit Service Pack 1", "Windows XP / Windows Vista",
)
REQUIREMENT_CPUS = (
    "Intel Core i5-4460 or AMD FX-6300", "Intel® Core™ 2 Duo E6600 or AMD Phenom™ X3 8750",
    "Dual core from Intel or AMD at 2.8 GHz", "Intel Core i7-4770K / AMD Ryzen 5 1500X",
    "1.8 GHz Processor", "Intel Core i3-4130, AMD FX8350", "2.4+ GHz Quad core",
)
REQUIREMENT_GPUS = (
    "NVIDIA GeForce GTX 760 or AMD Radeon R7 260x", "3D graphics card compatible with DirectX 9",
    "Video card must be 256 MB or more and should be a DirectX 9-compatible with support for "
    "Pixel Shader 3.0", "NVIDIA GeForce GTX 1060 6GB / AMD Radeon RX 580 8GB",
    "Intel HD Graphics 4000 or better", "GeForce 9800GTX+ (1GB)",
)
REQUIREMENT_NOTES = (
    "1080p, 16:9 recommended", "Requires a 64-bit processor and operating system",
    "Internet connection required for activation and online play. Unlisted specifications "
    "may not be supported by publisher.", "SSD recommended",
)
REQUIREMENT_RU = (
    "Core 2 Duo/Athlon 64 3 ГГц", "Pentium 4/Athlon XP 1.7 ГГц", "Core i5-4460/FX-6300",
    "3D-ускоритель со 128 Мб памяти", "GeForce 8800/Radeon X9800", "GeForce GTX 760/Radeon R7",
)
APPLE_DEVICES = (
    "iPad 2 Wifi", "iPad 2 3G", "iPhone 4S", "iPad Third Gen", "iPad Third Gen 4G", "iPhone 5",
    "iPod Touch Fifth Gen", "iPad Fourth Gen", "iPad Fourth Gen 4G", "iPad Mini", "iPad Mini 4G",
    "iPhone 5c", "iPhone 5s", "iPad Air", "iPad Air Cellular", "iPad Mini Retina",
    "iPad Mini Retina Cellular", "iPhone 6", "iPhone 6 Plus", "iPad Air 2", "iPad Air 2 Cellular",
    "iPad Mini 3", "iPad Mini 3 Cellular", "iPod Touch Sixth Gen", "iPhone 6s", "iPhone 6s Plus",
    "iPad Mini 4", "iPad Mini 4 Cellular", "iPad Pro", "iPad Pro Cellular", "iPad Pro 9.7",
    "iPad Pro 9.7 Cellular", "iPhone SE", "iPhone 7", "iPhone 7 Plus", "iPhone 8",
    "iPhone 8 Plus", "iPhone X",
)
# fmt: on

# (id, title) of RAWG's rating buckets, best first
RATING_TITLES = ((5, "exceptional"), (4, "recommended"), (3, "meh"), (1, "skip"))
# the keys of `added_by_status`
STATUSES = ("yet", "owned", "beaten", "toplay", "dropped", "playing")

# fmt: off
ADJECTIVES = (
    "Dark", "Silent", "Lost", "Eternal", "Crimson", "Hidden", "Last", "Broken", "Golden",
    "Iron", "Wild", "Frozen", "Neon", "Ancient", "Shadow", "Hollow", "Brave", "Cosmic",
    "Tiny", "Endless", "Forgotten", "Savage", "Electric", "Sacred", "Rogue", "Quiet",
    "Burning", "Pixel", "Super", "Mega", "Velvet", "Scarlet", "Astral", "Rusty", "Lucky",
    "Fallen", "Hyper", "Lonely", "Mystic", "Radiant", "Sunken", "Twisted", "Wandering",
    "Atomic", "Clockwork", "Emerald", "Feral", "Grim", "Jade", "Lunar", "Midnight",
    "Northern", "Obsidian", "Primal", "Quantum", "Solar", "Tidal", "Untamed", "Vivid",
    "Wicked",
)
NOUNS = (
    "Kingdom", "Legends", "Frontier", "Odyssey", "Dungeon", "Empire", "Horizon", "Chronicles",
    "Station", "Harbor", "Garden", "Protocol", "Tactics", "Racer", "Knight", "Saga", "Quest",
    "Colony", "Realm", "Arena", "Island", "Galaxy", "Citadel", "Outpost", "Tower",
    "Expedition", "Drifter", "Paradox", "Rhapsody", "Labyrinth", "Voyage", "Siege", "Echoes",
    "Hunter", "Forge", "Circuit", "Carnival", "Sanctuary", "Wasteland", "Tournament",
    "Academy", "Bazaar", "Cartel", "Dynasty", "Engine", "Fortress", "Gambit", "Heist",
    "Inferno", "Jungle", "Keeper", "Legacy", "Mirage", "Nexus", "Oracle", "Pilgrim",
    "Requiem", "Samurai", "Trials", "Uprising",
)
PLACES = (
    "the North", "Avalon", "the Deep", "Neo Tokyo", "Atlantis", "the Void", "Eldoria",
    "the Dunes", "Mars", "Valhalla", "the Abyss", "Old Town", "the Stars", "Ravenholm",
)
# Real RAWG names carry accents, CJK, Cyrillic and emoji; slugs must survive them.
UNICODE_WORDS = (
    "Pokémon", "東方", "Ølstrøm", "Café", "Über", "Ænigma", "ドラゴン", "Ψ-Zero", "Škoda", "Łódź",
    "Ōkami", "Москва", "Señor", "Straße", "Ça Va", "Fjörd",
)
EMOJI = ("🚀", "🎮", "⚔️", "👾", "🌙", "★")
SEQUELS = ("2", "3", "4", "II", "III", "IV", "2077", "Zero")
EDITIONS = (
    "Remastered", "Definitive Edition", "Director's Cut", "Deluxe Edition", "GOTY Edition",
    "Enhanced Edition", "Complete Collection", "Anniversary Edition", "Prologue", "Demo",
)
STUDIO_SUFFIXES = (
    "Studios", "Games", "Interactive", "Entertainment", "Software", "Works", "Lab", "Digital",
    "Productions", "Softworks", "Team", "Collective",
)
# fmt: on

# Lookups over the tables above: position of an id, the id of a slug, a platform's parent.
GENRE_INDEX = {g[0]: i for i, g in enumerate(GENRES)}
GENRE_BY_SLUG = {g[2]: g[0] for g in GENRES}
PLATFORM_INDEX = {p[0]: i for i, p in enumerate(PLATFORMS)}
PARENT_OF = {child: parent[0] for parent in PARENT_PLATFORMS for child in parent[3]}
