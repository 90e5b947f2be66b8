"""Keywords that make an article's kind of involvement clear, per kind id and language.

Only the kinds that site.yaml declares are scored; a site with other kind ids gets no proposal
for them. Terms follow mentions.py: whole words, '*' for a stem, Arabic clitics and Russian
endings allowed. The longest match wins, so 'gencatan senjata' (ceasefire) is not also 'senjata'
(weapons), and 'arms embargo' is sanctions, not arms.
"""

from __future__ import annotations

KIND_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "military": {
        "en": ("airstrike*", "air strike*", "air raid*", "bombing*", "bombard*", "shelling", "drone strike*",
               "troops", "soldiers", "offensive", "warship*", "frigate*", "military advisers", "military base*",
               "air base*"),
        "id": ("serangan udara", "pengeboman", "pasukan", "tentara", "kapal perang", "serangan drone",
               "pangkalan militer", "pangkalan udara", "penasihat militer"),
        "fr": ("frappe aérienne", "frappes aériennes", "raid aérien", "raids aériens", "bombardement*",
               "troupes", "soldats", "offensive", "navire de guerre", "frégate*", "base militaire"),
        "it": ("raid aereo", "raid aerei", "attacco aereo", "attacchi aerei", "bombardament*", "truppe",
               "soldati", "offensiva", "nave da guerra", "fregat*", "base militare"),
        "ar": ("غارة", "غارات", "قصف", "القوات", "جنود", "هجوم", "بارجة", "قاعدة عسكرية", "قاعدة جوية"),
        "ru": ("авиаудар*", "бомбардировк*", "войска", "войск", "военнослужащие", "наступление", "обстрел*",
               "военная база", "военной базы", "авиабаз*"),
        "tr": ("hava saldırısı", "hava saldırıları", "bombardıman", "asker*", "taarruz*", "savaş gemisi",
               "askeri üs", "hava üssü"),
    },
    "mercenaries": {
        "en": ("mercenar*", "private military compan*", "private military contractor*", "foreign fighters",
               "Wagner"),
        "id": ("tentara bayaran", "milisi bayaran", "kontraktor militer swasta", "perusahaan militer swasta",
               "Wagner"),
        "fr": ("mercenaire*", "société militaire privée", "sociétés militaires privées", "combattants étrangers",
               "Wagner"),
        "it": ("mercenari*", "compagnia militare privata", "combattenti stranieri", "Wagner"),
        "ar": ("مرتزقة", "مرتزق", "فاغنر", "المقاتلين الأجانب", "شركة عسكرية خاصة"),
        "ru": ("наемник*", "ЧВК", "Вагнер*", "частная военная компания", "частной военной компании"),
        "tr": ("paralı asker*", "Wagner", "yabancı savaşçı*"),
    },
    "arms": {
        "en": ("weapon*", "arms", "arms shipment*", "missile*", "armoured vehicle*", "armored vehicle*",
               "ammunition", "air-defence system*", "air defense system*", "drone", "drones"),
        "id": ("senjata", "rudal", "kendaraan lapis baja", "amunisi", "pengiriman senjata", "drone",
               "pesawat nirawak"),
        "fr": ("armes", "armement*", "missile*", "véhicules blindés", "blindés", "munitions", "drone", "drones"),
        "it": ("armi", "armament*", "missili", "blindati", "munizioni", "drone", "droni"),
        "ar": ("أسلحة", "سلاح", "صواريخ", "مدرعات", "ذخيرة", "ذخائر", "طائرات مسيرة", "طائرة مسيرة"),
        "ru": ("оружие", "оружия", "вооружени*", "ракеты", "ракет", "бронетехник*", "боеприпас*",
               "беспилотник*"),
        "tr": ("silah*", "füze*", "zırhlı araç*", "mühimmat*", "SİHA", "İHA"),
    },
    "diplomacy": {
        "en": ("ceasefire*", "cease-fire*", "truce", "talks", "negotiation*", "summit*", "conference*",
               "agreement*", "accord", "accords", "peace", "dialogue", "diplomat*", "envoy*", "phone call", "memorand*",
               "mediation"),
        "id": ("gencatan senjata", "perundingan", "pembicaraan", "negosiasi", "dialog", "kesepakatan",
               "sepakat", "perjanjian", "KTT", "konferensi", "pertemuan", "perdamaian", "diplomat*", "telepon",
               "mediasi"),
        "fr": ("cessez-le-feu", "trêve", "pourparlers", "négociation*", "sommet", "conférence", "accord*",
               "paix", "dialogue", "diplomat*", "médiation", "entretien téléphonique"),
        "it": ("cessate il fuoco", "tregua", "colloqui", "negoziat*", "vertice", "conferenza", "accordo",
               "accordi", "pace", "dialogo", "diplomati*", "mediazione"),
        "ar": ("وقف إطلاق النار", "هدنة", "محادثات", "مفاوضات", "قمة", "مؤتمر", "اتفاق", "اتفاقية", "سلام",
               "حوار", "دبلوماسي*", "وساطة", "اتصال هاتفي"),
        "ru": ("прекращение огня", "прекращении огня", "перемирие", "перемирия", "переговор*", "саммит*",
               "конференци*", "соглашение", "соглашения", "диалог*", "дипломат*", "посредничеств*"),
        "tr": ("ateşkes*", "müzakere*", "görüşme*", "zirve*", "konferans*", "anlaşma*", "barış", "diyalog*",
               "diplomat*", "arabulucu*"),
    },
    "economic": {
        "en": ("oil", "oil field*", "oil port*", "central bank", "banknote*", "dinar*", "investment*",
               "contract", "contracts", "trade", "economic", "loan*"),
        "id": ("minyak", "bank sentral", "uang kertas", "dinar", "investasi", "kontrak", "perdagangan",
               "ekonomi"),
        "fr": ("pétrole", "pétrolier*", "banque centrale", "billets", "dinars", "investissement*", "contrat*",
               "commerce", "économique*"),
        "it": ("petrolio", "petrolifer*", "banca centrale", "banconote", "dinari", "investiment*", "contratt*",
               "commercio", "economic*"),
        "ar": ("نفط", "المصرف المركزي", "البنك المركزي", "دينار", "استثمار*", "عقود", "تجارة", "اقتصاد*"),
        "ru": ("нефть", "нефти", "центробанк*", "центральный банк", "динар*", "инвестици*", "контракт*",
               "торговл*", "экономик*"),
        "tr": ("petrol*", "merkez bankası", "dinar*", "yatırım*", "sözleşme*", "ticaret*", "ekonomi*"),
    },
    "humanitarian": {
        "en": ("humanitarian", "aid", "relief", "evacuat*", "medical supplies", "field hospital*", "refugee*",
               "migrant*", "displaced"),
        "id": ("kemanusiaan", "bantuan", "evakuasi", "pengungsi", "migran", "rumah sakit lapangan"),
        "fr": ("humanitaire*", "aide", "évacuation*", "réfugiés", "migrants", "déplacés"),
        "it": ("umanitari*", "aiuti", "evacuazion*", "rifugiati", "migranti", "sfollati"),
        "ar": ("إنساني*", "مساعدات", "إجلاء", "لاجئين", "مهاجرين", "نازحين"),
        "ru": ("гуманитарн*", "эвакуаци*", "беженц*", "мигрант*"),
        "tr": ("insani", "yardım*", "tahliye*", "mülteci*", "göçmen*"),
    },
    "sanctions": {
        "en": ("sanction*", "embargo", "arms embargo", "asset freeze*", "blacklist*", "Irini"),
        "id": ("sanksi", "embargo", "embargo senjata"),
        "fr": ("sanction*", "embargo", "embargo sur les armes", "Irini"),
        "it": ("sanzion*", "embargo", "embargo sulle armi", "Irini"),
        "ar": ("عقوبات", "حظر", "حظر الأسلحة", "إيريني"),
        "ru": ("санкци*", "эмбарго", "Ирини"),
        "tr": ("yaptırım*", "ambargo*", "İrini"),
    },
}


def kind_terms(kinds: list[str], language: str) -> dict[str, str]:
    """term -> kind for the given kinds, in the article's language and in English (loanwords, quotes)."""
    primary = language.split("-")[0].lower()
    terms: dict[str, str] = {}
    for kind in kinds:
        for lang in dict.fromkeys((primary, "en")):
            for term in KIND_WORDS.get(kind, {}).get(lang, ()):
                terms.setdefault(term, kind)
    return terms


def keyword_languages() -> list[str]:
    """The languages that have keyword lists, for the report."""
    return sorted({lang for words in KIND_WORDS.values() for lang in words})
