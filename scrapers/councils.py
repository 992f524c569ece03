"""The 22 Welsh principal councils by their stored name, with the bare area names (English and
Welsh) a headline or a postal address uses for them.

One table for both readers of it: the BBC feed's relevance filter (``scrapers.bbc_wales_rss``)
and the classifier's council finder (``storage.classify.authority``, which adds the councils'
full titles and short forms), so the filter and the classifier always agree on what names a
council.  It lives under ``scrapers`` because scrapers import nothing from ``storage``.
"""

from __future__ import annotations

PLACES: dict[str, tuple[str, ...]] = {
    "Blaenau Gwent": ("Blaenau Gwent",),
    "Bridgend": ("Bridgend", "Pen-y-bont ar Ogwr"),
    "Caerphilly": ("Caerphilly", "Caerffili"),
    "Cardiff": ("Cardiff", "Caerdydd"),
    "Carmarthenshire": ("Carmarthenshire", "Sir Gâr", "Sir Gar"),
    "Ceredigion": ("Ceredigion",),
    "Conwy": ("Conwy",),
    "Denbighshire": ("Denbighshire", "Sir Ddinbych"),
    "Flintshire": ("Flintshire", "Sir y Fflint"),
    "Gwynedd": ("Gwynedd",),
    "Isle of Anglesey": ("Anglesey", "Ynys Môn", "Ynys Mon"),
    "Merthyr Tydfil": ("Merthyr Tydfil", "Merthyr Tudful"),
    "Monmouthshire": ("Monmouthshire", "Sir Fynwy"),
    "Neath Port Talbot": ("Neath Port Talbot", "Castell-nedd Port Talbot"),
    "Newport": ("Newport", "Casnewydd"),
    "Pembrokeshire": ("Pembrokeshire", "Sir Benfro"),
    "Powys": ("Powys",),
    "Rhondda Cynon Taf": ("Rhondda Cynon Taf", "Rhondda Cynon Taff"),
    "Swansea": ("Swansea", "Abertawe"),
    "Torfaen": ("Torfaen",),
    "Vale of Glamorgan": ("Vale of Glamorgan", "Bro Morgannwg"),
    "Wrexham": ("Wrexham", "Wrecsam"),
}
