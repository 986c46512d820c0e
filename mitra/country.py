"""Where the person is: Cambodia (KH) or Thailand (TH), from what they wrote.

Used for the emergency numbers: asked in the safety check, otherwise inferred from place
names, currencies and phrases like "in Thailand". Only a clear mention counts; "I want to
go home to Cambodia" from someone in Thailand is why going-home phrases are ignored.
"""
from __future__ import annotations

import re
from typing import Optional

KH, TH = "KH", "TH"

_PLACES = {
    TH: [
        "thailand", "thai land", "srok thai", "srok siem", "bangkok", "bkk", "chonburi",
        "chon buri", "rayong", "pattaya", "samut sakhon", "mahachai", "samut prakan",
        "songkhla", "hat yai", "phuket", "chanthaburi", "trat", "sa kaeo", "aranyaprathet",
        "nakhon", "pathum thani", "nonthaburi", "ayutthaya", "chiang mai", "ranong",
        "baht", "ประเทศไทย", "เมืองไทย", "กรุงเทพ", "ชลบุรี", "ระยอง", "พัทยา",
        "สมุทรสาคร", "มหาชัย", "สมุทรปราการ", "สงขลา", "ภูเก็ต", "จันทบุรี", "ตราด",
        "สระแก้ว", "บาท", "ស្រុកថៃ", "ប្រទេសថៃ", "នៅថៃ", "បាងកក", "ថៃ", "បាត",
    ],
    KH: [
        "cambodia", "kampuchea", "phnom penh", "pp city", "battambang", "banteay meanchey",
        "poipet", "siem reap", "koh kong", "kampong", "takeo", "prey veng", "svay rieng",
        "kampot", "sihanoukville", "riel", "ประเทศกัมพูชา", "พนมเปญ", "ปอยเปต",
        "เสียมราฐ", "พระตะบอง", "เรียล", "ប្រទេសកម្ពុជា", "ភ្នំពេញ", "បាត់ដំបង",
        "បន្ទាយមានជ័យ", "ប៉ោយប៉ែត", "សៀមរាប", "កោះកុង", "កំពង់", "តាកែវ", "ព្រៃវែង",
        "ស្វាយរៀង", "កំពត", "ព្រះសីហនុ", "រៀល",
    ],
}
# "go home to Cambodia", "back to Khmer land": a wish, not where they are.
_GOING_HOME = re.compile(
    r"(go|going|back|return|send|ទៅ|មក|ត្រឡប់|กลับ|ส่ง).{0,15}?"
    r"(cambodia|kampuchea|srok khmer|ស្រុកខ្មែរ|កម្ពុជា|กัมพูชา|เขมร)",
    re.IGNORECASE,
)


def infer_country(text: str) -> Optional[str]:
    lowered = _GOING_HOME.sub(" ", (text or "").lower())
    found = {code for code, names in _PLACES.items() if any(n in lowered for n in names)}
    return found.pop() if len(found) == 1 else None
