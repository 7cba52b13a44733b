"""The demo feed's food court: its menu (with stations and allergens), customers and words.

Data only; server/feed.py plays it.  Stations are the kitchen's sections a
line is cooked at (the kitchen screen groups and filters by them); allergens
are what the screens flag on a line.
"""

from __future__ import annotations

from typing import NamedTuple


class Dish(NamedTuple):
    name: str
    price: int
    station: str
    allergens: tuple[str, ...] = ()


DRINKS = "drinks"  # poured, not cooked: a drinks line goes straight to done

MENU: list[Dish] = [
    Dish("Nasi Goreng Spesial", 28000, "wok", ("egg",)),
    Dish("Mie Ayam Bakso", 22000, "wok", ("gluten", "egg")),
    Dish("Soto Ayam", 20000, "soup"),
    Dish("Sate Ayam (10 tusuk)", 30000, "grill", ("peanut",)),
    Dish("Nasi Uduk", 18000, "wok"),
    Dish("Gado-Gado", 19000, "cold", ("peanut",)),
    Dish("Bakso Urat", 23000, "soup"),
    Dish("Ayam Geprek", 21000, "grill"),
    Dish("Rendang Sapi", 35000, "grill"),
    Dish("Pempek Kapal Selam", 24000, "fryer", ("fish", "gluten")),
    Dish("Es Teh Manis", 5000, DRINKS),
    Dish("Es Jeruk", 8000, DRINKS),
    Dish("Kopi Susu Gula Aren", 18000, DRINKS, ("milk",)),
    Dish("Jus Alpukat", 15000, DRINKS, ("milk",)),
    Dish("Es Campur", 14000, DRINKS, ("milk",)),
]
NOTES = ["", "", "", "pedas", "tidak pedas", "tanpa bawang", "kuah dipisah", "es sedikit", "bungkus"]
MODIFIERS = ["telur ceplok", "extra sambal", "ekstra keju", "kerupuk", "nasi setengah", "less sugar"]
NAMES = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Joko", "Wulan", "Fajar", "Ayu", "Hendra"]
METHODS = ["cash", "cash", "qris", "qris", "card"]
CANCEL_REASONS = ["stok habis", "pelanggan membatalkan", "salah input"]
VOID_REASONS = ["stok habis", "salah input"]
ALERTS = [
    ("warning", "Printer dapur kertas hampir habis"),
    ("info", "Jam sibuk: siapkan lebih banyak es batu"),
]
