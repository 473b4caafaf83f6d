"""Invented page furniture for make_wirebench_like.py's small-outlet layouts: giant
"most read" rails of headline-shaped teasers, and comment/vote widgets that sister
outlets of one publisher share. All text is generated here from small invented
grammars, in English, Indonesian, Spanish and German; nothing is read from any page.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Namer = Callable[[random.Random, int], str]

# -- teasers: headline-shaped lines, cut with an ellipsis or ending in "!" or "?" --------

TEASER = {
    "en": [
        "{Name} shows off {a} {adj} new look while {walking} in {Place} ...",
        "My {relative} was the first person I told about the {noun} ...",
        "Fans left baffled as {Name} swaps the studio for {a} {noun} in ...",
        "Is this the most {adj} {noun} of the whole year?",
        "{Name} unveils {a} {adj} {noun} and fans cannot cope!",
        "Why do {people} never talk about the {noun} they keep in ...",
        "The {n} pence trick that keeps your {noun} like new for ...",
        "EXCLUSIVE: {Name} splits from {relative2} after {n} years and ...",
        "I swapped my office job for {a} {noun} in {Place} and this is what ...",
        "Can you spot the {noun} hiding in this {adj} picture?",
        "{Name}, {n}, looks unrecognisable as {pron} debuts {a} {adj} {noun}!",
        "What your {noun} says about you, according to {Name} ...",
        "Inside the {adj} farmhouse where {Name} grows every {noun} {pron} ...",
        "{Name}'s secret heartache over the {noun} {pron} lost in ...",
    ],
    "id": [
        "{Name} pamer penampilan baru saat berjalan di {Place}, warganet ...",
        "Kakak saya adalah orang pertama yang tahu soal {noun} itu ...",
        "Bikin heboh! {Name} tinggalkan studio demi {noun} di {Place} ...",
        "Apakah ini {noun} paling {adj} sepanjang tahun ini?",
        "Rahasia {noun} awet sampai {n} hari, cukup pakai cara ini!",
        "{Name} akhirnya buka suara soal {noun} yang hilang di ...",
    ],
    "es": [
        "{Name} presume de nuevo look mientras pasea por {Place} y ...",
        "Mi hermana fue la primera persona a la que conté lo del {noun} ...",
        "¡Los fans no se lo creen! {Name} cambia el plató por {a} {noun} en ...",
        "¿Es este el {noun} más {adj} de todo el año?",
        "El truco de {n} céntimos que deja tu {noun} como nuevo durante ...",
        "{Name} rompe su silencio sobre el {noun} que perdió en ...",
    ],
    "de": [
        "{Name} zeigt neuen Look beim Spaziergang durch {Place} und ...",
        "Meine Schwester war die Erste, der ich vom {noun} erzählte ...",
        "Fans staunen: {Name} tauscht das Studio gegen {a} {noun} in ...",
        "Ist das der {adj}ste {noun} des ganzen Jahres?",
        "Der {n}-Cent-Trick, mit dem Ihr {noun} wie neu bleibt ...",
        "{Name} bricht das Schweigen über den {noun}, den sie in ...",
    ],
}
T_ADJ = {
    "en": ["dramatic", "awkward", "cosy", "glamorous", "bizarre", "tiny", "stunning", "secret"],
    "id": ["aneh", "mewah", "lucu", "langka", "mahal", "unik"],
    "es": ["raro", "lujoso", "curioso", "caro", "bonito", "extraño"],
    "de": ["seltsam", "schön", "teur", "klein", "wild", "still"],
}
T_NOUN = {
    "en": ["sofa", "garden shed", "canal boat", "kitchen", "tattoo", "wedding ring", "puppy"],
    "id": ["sofa", "dapur", "kucing", "rumah", "cincin", "mobil"],
    "es": ["sofá", "jardín", "anillo", "perro", "coche", "piso"],
    "de": ["Garten", "Hund", "Ring", "Wagen", "Balkon", "Keller"],
}
RELATIVES = ["sister", "brother", "mother", "best friend", "neighbour"]
WALKING = ["walking her dog", "shopping", "jogging", "leaving a restaurant"]


def _fill(rng: random.Random, tpl: str, lang: str, name: Namer) -> str:
    adj = rng.choice(T_ADJ[lang])
    return tpl.format(
        Name=f"{name(rng, 2)} {name(rng, 3)}",
        Place=name(rng, 3),
        a="an" if adj[0] in "aeiou" else "a",
        adj=adj,
        noun=rng.choice(T_NOUN[lang]),
        relative=rng.choice(RELATIVES),
        relative2=f"her {rng.choice(['husband', 'partner', 'manager'])}",
        walking=rng.choice(WALKING),
        people=rng.choice(["pilots", "chefs", "nurses", "royals"]),
        pron=rng.choice(["she", "he"]),
        n=rng.randint(2, 99),
    )


def teasers(rng: random.Random, lang: str, count: int, name: Namer) -> list[str]:
    """`count` invented teaser lines in `lang`."""
    return [_fill(rng, rng.choice(TEASER[lang]), lang, name) for _ in range(count)]


# -- comment and vote widgets: interface prose between buttons -------------------------

WIDGET = {
    "en": {
        "title": ["Comments", "Join the conversation", "Reader comments"],
        "signin": [
            "You must be signed in to comment on this article.",
            "Please log in or register to join the discussion below.",
        ],
        "count": "{n} new comments on this article",
        "sort": ["Sort by", "Newest", "Oldest", "Most liked"],
        "ask": [
            "Are you sure you want to submit this vote?",
            "Are you sure you want to mark this comment as inappropriate?",
            "Are you sure you want to delete this comment? This cannot be undone.",
            "Do you really want to hide all replies to this comment?",
        ],
        "buttons": [
            ["Submit", "Cancel"],
            ["Report", "Cancel"],
            ["Delete", "Cancel"],
            ["Hide", "Cancel"],
        ],
        "after": [
            "Thank you. Your report has been sent to our moderators for review.",
            "Comments on this article are moderated and may take a few minutes to appear.",
        ],
        "more": "Load more comments",
    },
    "id": {
        "title": ["Komentar", "Tulis komentar Anda"],
        "signin": [
            "Anda harus masuk terlebih dahulu untuk berkomentar pada artikel ini.",
            "Silakan masuk atau daftar untuk ikut berdiskusi di bawah ini.",
        ],
        "count": "{n} komentar baru pada artikel ini",
        "sort": ["Urutkan", "Terbaru", "Terlama"],
        "ask": [
            "Apakah Anda yakin ingin memberikan suara untuk komentar ini?",
            "Apakah Anda yakin ingin melaporkan komentar ini sebagai tidak pantas?",
            "Apakah Anda yakin ingin menghapus komentar ini? Tindakan ini tidak dapat dibatalkan.",
            "Apakah Anda benar-benar ingin menyembunyikan semua balasan komentar ini?",
        ],
        "buttons": [
            ["Kirim", "Batal"],
            ["Laporkan", "Batal"],
            ["Hapus", "Batal"],
            ["Sembunyikan", "Batal"],
        ],
        "after": [
            "Terima kasih. Laporan Anda sudah kami teruskan kepada moderator untuk ditinjau.",
            "Komentar pada artikel ini dimoderasi dan mungkin baru muncul beberapa menit lagi.",
        ],
        "more": "Muat lebih banyak komentar",
    },
    "es": {
        "title": ["Comentarios", "Únete a la conversación"],
        "signin": [
            "Debes iniciar sesión para comentar en este artículo de opinión.",
            "Inicia sesión o regístrate para participar en el debate de abajo.",
        ],
        "count": "{n} comentarios nuevos en este artículo",
        "sort": ["Ordenar por", "Más recientes", "Más antiguos"],
        "ask": [
            "¿Seguro que quieres enviar tu voto a este comentario?",
            "¿Seguro que quieres marcar este comentario como inapropiado?",
            "¿Seguro que quieres borrar este comentario? No se podrá deshacer.",
            "¿De verdad quieres ocultar todas las respuestas a este comentario?",
        ],
        "buttons": [
            ["Enviar", "Cancelar"],
            ["Denunciar", "Cancelar"],
            ["Borrar", "Cancelar"],
            ["Ocultar", "Cancelar"],
        ],
        "after": [
            "Gracias. Tu denuncia se ha enviado a nuestros moderadores para su revisión.",
            "Los comentarios de este artículo se moderan y pueden tardar unos minutos en aparecer.",
        ],
        "more": "Cargar más comentarios",
    },
    "de": {
        "title": ["Kommentare", "Diskutieren Sie mit"],
        "signin": [
            "Sie müssen angemeldet sein, um diesen Artikel kommentieren zu können.",
            "Bitte melden Sie sich an oder registrieren Sie sich, um mitzudiskutieren.",
        ],
        "count": "{n} neue Kommentare zu diesem Artikel",
        "sort": ["Sortieren nach", "Neueste", "Älteste"],
        "ask": [
            "Wollen Sie wirklich für diesen Kommentar abstimmen und Ihre Stimme abgeben?",
            "Wollen Sie diesen Kommentar wirklich als unangemessen melden?",
            "Wollen Sie diesen Kommentar wirklich löschen? Das lässt sich nicht rückgängig machen.",
            "Wollen Sie wirklich alle Antworten auf diesen Kommentar ausblenden?",
        ],
        "buttons": [
            ["Senden", "Abbrechen"],
            ["Melden", "Abbrechen"],
            ["Löschen", "Abbrechen"],
            ["Ausblenden", "Abbrechen"],
        ],
        "after": [
            "Vielen Dank. Ihre Meldung wurde zur Prüfung an unsere Moderation weitergeleitet.",
            "Kommentare zu diesem Artikel werden moderiert und erscheinen erst nach Minuten.",
        ],
        "more": "Weitere Kommentare laden",
    },
}


def widget(rng: random.Random, lang: str) -> list[str]:
    """One publisher's comment widget: prompts and questions between buttons, drawn
    once per publisher so its sister outlets print the same lines."""
    w = WIDGET[lang]
    lines = [rng.choice(w["title"]), rng.choice(w["signin"])]
    if rng.random() < 0.5:
        lines += [w["sort"][0], *w["sort"][1:]]
    asks = rng.sample(range(len(w["ask"])), rng.randint(2, 4))
    for i in asks:
        lines += [w["ask"][i], *w["buttons"][i]]
    lines += w["after"][: rng.randint(1, 2)]
    lines.append(w["more"])
    return lines


def widget_count(rng: random.Random, lang: str) -> str:
    """The "N new comments" line, which varies from page to page."""
    return WIDGET[lang]["count"].format(n=rng.randint(2, 40))
