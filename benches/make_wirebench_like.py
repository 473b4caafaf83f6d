"""Generate a labelled benchmark shaped like wirebench, with invented stories and chrome.

Every text is produced here from small invented vocabularies: story sentences come
from templates filled with made-up people, places, organisations and numbers, quotes
from a clause grammar, and each simulated outlet gets its own chrome layout drawn
from many variants (rails without timestamps, rails of bare ledes, rails before the
article, captions and pull quotes, multi-line bylines, share bars, comments, cookie
banners, numbered "most read" lists, newsletter boxes, datelines, hard-wrapped text,
blank-line paragraphs, one-line bodies, CRLF line endings, menus in Indonesian,
Spanish or German, outlets republishing their own copy). Nothing is read from any
dataset.

The small-outlet layouts reproduce what real crawls of many small sites add: giant
"most read" rails of headline-shaped teasers that an outlet prints on every page
(`giant_rail`), comment and vote widgets that the sister outlets of one publisher
share (`widget`), and `small_outlets`: hundreds of outlets with one or two pages each
(so no line recurs on enough of an outlet's pages to count as its chrome), half of
them with giant rails and half with widgets, and some paywalled pages that carry only
a headline and chrome (labelled `stub`, each a story of its own).

    python benches/make_wirebench_like.py OUT_DIR [--seed N] [--stories N] [--mix NAME]

Writes OUT_DIR/docs.jsonl (id, source, text), truth.jsonl (id, story, kind) and
related_stories.json, like the dev split. `--mix` forces one layout feature on every
outlet (see MIXES) so each can be measured on its own; `random` draws them per outlet.
"""

from __future__ import annotations

import argparse
import json
import random
import textwrap
from pathlib import Path

import chrome_widgets

# -- vocabularies (invented) ------------------------------------------------------------

SYL = [
    "ka",
    "ro",
    "vel",
    "mar",
    "ten",
    "sa",
    "lo",
    "dri",
    "ven",
    "ta",
    "mi",
    "bor",
    "ul",
    "ne",
    "fa",
    "gor",
    "li",
    "an",
    "so",
    "pel",
    "ru",
    "dan",
    "ki",
    "stra",
    "mo",
    "hal",
    "in",
    "ve",
    "to",
    "zan",
    "bel",
    "ja",
    "nor",
    "qui",
    "se",
    "tar",
    "ol",
    "wen",
    "ish",
    "ed",
]

ROLES = [
    "minister",
    "mayor",
    "spokeswoman",
    "spokesman",
    "governor",
    "director",
    "chief executive",
    "police chief",
    "union leader",
    "professor",
    "senator",
    "prosecutor",
    "commander",
    "chairwoman",
    "engineer",
    "doctor",
]
ORG_KIND = [
    "Ministry of Works",
    "Port Authority",
    "Workers Union",
    "Health Agency",
    "Rail Company",
    "Electoral Commission",
    "Space Institute",
    "Farmers Council",
    "Supreme Court",
    "Coast Guard",
    "City Council",
    "Energy Board",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# Word-level lexicon for quotes and sentences (my own); random combination keeps
# different stories from sharing long runs, as real stories do not.
ADJ = [
    "heavy",
    "narrow",
    "old",
    "new",
    "northern",
    "coastal",
    "temporary",
    "main",
    "rural",
    "public",
    "private",
    "damaged",
    "empty",
    "crowded",
    "flooded",
    "local",
    "national",
    "fragile",
    "expensive",
    "remote",
    "busy",
    "quiet",
    "broken",
    "second",
    "final",
    "western",
    "southern",
    "eastern",
    "central",
    "small",
    "wooden",
    "steel",
    "historic",
]
NOUN = [
    "bridge",
    "school",
    "harbour",
    "market",
    "warehouse",
    "tunnel",
    "clinic",
    "budget",
    "contract",
    "station",
    "border post",
    "water supply",
    "village road",
    "factory",
    "power line",
    "hospital wing",
    "fishing fleet",
    "grain store",
    "ferry terminal",
    "housing estate",
    "courthouse",
    "stadium",
    "reservoir",
    "railway yard",
    "mine shaft",
    "airfield",
    "library",
    "customs office",
    "pension fund",
    "tax office",
    "dockyard",
    "health centre",
    "police station",
    "town hall",
    "sewer network",
    "radio mast",
]
VERB = [
    "blocked",
    "approved",
    "delayed",
    "inspected",
    "reopened",
    "rejected",
    "expanded",
    "questioned",
    "criticised",
    "restored",
    "suspended",
    "ordered",
    "cancelled",
    "extended",
    "reviewed",
    "tested",
    "funded",
    "closed",
    "repaired",
    "moved",
    "opened",
    "examined",
    "demolished",
    "audited",
    "sealed",
    "evacuated",
    "guarded",
    "rebuilt",
]
ADV = [
    "late on {day}",
    "early on {day}",
    "on {day} morning",
    "overnight",
    "this week",
    "for the first time since {year}",
    "after weeks of talks",
    "despite protests",
    "without warning",
    "under police escort",
    "amid heavy rain",
    "ahead of the holiday",
    "after a court order",
    "at short notice",
    "in a surprise move",
    "within hours",
]
Q_PRON = [
    "we",
    "they",
    "I",
    "our people",
    "the families",
    "my colleagues",
    "nobody",
    "everyone here",
    "the drivers",
    "the nurses",
    "the farmers",
    "our children",
]
Q_AUX = [
    "have",
    "will",
    "cannot",
    "never",
    "still",
    "must",
    "could not",
    "did not",
    "would",
    "should",
    "want to",
    "refuse to",
]
Q_VB = [
    "trust",
    "accept",
    "forget",
    "afford",
    "wait for",
    "rebuild",
    "protect",
    "pay for",
    "explain",
    "carry",
    "ignore",
    "defend",
    "leave",
    "sell",
    "repair",
    "count on",
    "hear",
    "feed",
    "replace",
    "measure",
    "question",
    "finish",
    "open",
    "close",
]
Q_CONJ = ["and", "but", "because", "so", "while", "until", "unless", "even if", "when"]
Q_TAIL = [
    "tomorrow",
    "again",
    "alone",
    "any longer",
    "this winter",
    "at all",
    "in time",
    "for another year",
    "on our own",
    "without help",
    "in silence",
    "next month",
]


def clause(rng: random.Random) -> str:
    np = (
        f"the {rng.choice(ADJ)} {rng.choice(NOUN)}"
        if rng.random() < 0.7
        else f"the {rng.choice(NOUN)}"
    )
    parts = [rng.choice(Q_PRON), rng.choice(Q_AUX), rng.choice(Q_VB), np]
    if rng.random() < 0.6:
        parts.append(rng.choice(Q_TAIL))
    return " ".join(parts)


FILLERS = [  # stock sentences many stories share (the df cap must see them as common)
    "Authorities said the situation was being monitored closely and further updates would follow.",
    "It was not immediately clear how many people had been affected by the decision.",
    "Officials did not respond to requests for comment outside business hours.",
    "The agency said it had contacted the relevant authorities and was awaiting a reply.",
    "More details are expected to be released at a press conference later in the week.",
    "Observers said the coming days would be decisive for the outcome.",
]

SYNONYMS = {
    "said": "stated",
    "officials": "authorities",
    "people": "residents",
    "announced": "declared",
    "expected": "anticipated",
    "about": "around",
    "began": "started",
    "told": "informed",
    "help": "assistance",
    "big": "large",
    "closed": "shut",
    "also": "additionally",
    "warned": "cautioned",
    "after": "following",
    "more than": "over",
    "damaged": "harmed",
}
SPELLING = {
    "neighbours": "neighbors",
    "subsidised": "subsidized",
    "harbour": "harbor",
    "centre": "center",
    "organised": "organized",
    "defence": "defense",
    "labour": "labor",
    "programme": "program",
    "colour": "color",
}

MENUS = {
    "en": [
        "Home",
        "News",
        "World",
        "Business",
        "Sport",
        "Opinion",
        "Video",
        "Weather",
        "Local",
        "Tech",
        "Culture",
        "Podcasts",
    ],
    "id": [
        "Beranda",
        "Berita",
        "Nasional",
        "Internasional",
        "Ekonomi",
        "Olahraga",
        "Hiburan",
        "Terpopuler",
        "Indeks",
        "Video",
    ],
    "es": [
        "Inicio",
        "Noticias",
        "Mundo",
        "Economía",
        "Deportes",
        "Opinión",
        "Cultura",
        "Última hora",
        "Vídeos",
    ],
    "de": [
        "Startseite",
        "Nachrichten",
        "Politik",
        "Wirtschaft",
        "Sport",
        "Kultur",
        "Meinung",
        "Ausland",
        "Wetter",
    ],
}
CHROME_WORDS = {
    "en": {
        "ad": ["ADVERTISEMENT", "Advertisement", "Sponsored", "- Ad -"],
        "rail": [
            "Related stories",
            "More from this section",
            "You may also like",
            "Read next",
            "Elsewhere on the site",
        ],
        "most": ["Most read", "Trending now", "Popular today"],
        "share": ["Share", "Facebook", "X", "WhatsApp", "Email", "Copy link"],
        "comments": "Comments",
        "login": "Sign in to keep reading",
        "ago": "hours ago",
    },
    "id": {
        "ad": ["Iklan", "ADVERTISEMENT", "Gulir untuk melanjutkan"],
        "rail": ["Berita Terkait", "Baca Juga", "Artikel Lainnya"],
        "most": ["Terpopuler", "Paling Banyak Dibaca"],
        "share": ["Bagikan", "Facebook", "X", "WhatsApp", "Salin tautan"],
        "comments": "Komentar",
        "login": "Masuk untuk membaca",
        "ago": "jam lalu",
    },
    "es": {
        "ad": ["Publicidad", "Anuncio"],
        "rail": ["Noticias relacionadas", "Te puede interesar", "Lo último"],
        "most": ["Lo más leído", "Tendencias"],
        "share": ["Compartir", "Facebook", "X", "WhatsApp", "Correo"],
        "comments": "Comentarios",
        "login": "Inicia sesión para seguir leyendo",
        "ago": "horas",
    },
    "de": {
        "ad": ["Anzeige", "Werbung"],
        "rail": ["Mehr zum Thema", "Auch interessant", "Weitere Artikel"],
        "most": ["Meistgelesen", "Beliebt"],
        "share": ["Teilen", "Facebook", "X", "WhatsApp", "E-Mail"],
        "comments": "Kommentare",
        "login": "Jetzt anmelden und weiterlesen",
        "ago": "Stunden",
    },
}
COOKIE = [
    "We use cookies to personalise content and to analyse our traffic. By continuing "
    "to browse you agree to our use of cookies.",
    "This site uses cookies and similar technologies to improve your experience and "
    "to show you relevant offers. Manage your preferences at any time.",
    "Cookies help us deliver our services. Accept all or choose which ones you allow.",
]
NEWSLETTER = [
    "Sign up for the morning briefing: the stories that matter, in your inbox "
    "before breakfast every weekday.",
    "Get our free daily newsletter. Enter your email address below and never miss "
    "a headline again.",
    "Want more? Our weekend edition brings you the best long reads, delivered free.",
]
COMMENTS = [
    "This is exactly what everyone warned about years ago.",
    "Who is going to pay for all of this in the end? Us, as always.",
    "Thoughts with the families, what a terrible week for the region.",
    "Finally some good news from that part of the country!",
    "I drove past there yesterday and it looked much worse than the photos.",
    "Same story every year and nothing changes.",
    "Great reporting, thank you for covering this properly.",
    "The officials should resign, simple as that.",
]
AGENCIES = ["Nordwire", "APX", "Transpress", "Globo Agency", "Kantor Berita Nusa", "EFX"]
SURN = [
    "Alvik",
    "Brenna",
    "Castell",
    "Dunmore",
    "Ekwall",
    "Faro",
    "Grieve",
    "Hollis",
    "Ibarra",
    "Janek",
    "Kessel",
    "Lund",
    "Moravec",
    "Nakamura",
    "Okafor",
    "Pereira",
    "Quist",
    "Rahman",
    "Santoso",
    "Tamm",
    "Ulrich",
    "Varga",
    "Wibowo",
    "Young",
]
GIVEN = [
    "Ana",
    "Bram",
    "Clara",
    "Dewi",
    "Emil",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jonas",
    "Kirsi",
    "Lukas",
    "Maya",
    "Nils",
    "Omar",
    "Petra",
    "Rafael",
    "Sari",
    "Tomas",
    "Vera",
]


def name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYL) for _ in range(parts)).capitalize()


def person(rng: random.Random) -> str:
    return f"{name(rng, rng.randint(2, 3))} {name(rng, rng.randint(2, 3))}"


# -- stories ------------------------------------------------------------------------------


def make_quote(rng: random.Random) -> str:
    parts = [clause(rng)]
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        parts += [rng.choice(Q_CONJ), clause(rng)]
    q = " ".join(parts)
    return q[0].upper() + q[1:]


WHO = [
    "people",
    "households",
    "workers",
    "families",
    "passengers",
    "pupils",
    "patients",
    "residents",
    "traders",
    "volunteers",
]
WHAT = [
    "affected",
    "displaced",
    "evacuated",
    "stranded",
    "injured",
    "questioned",
    "relocated",
    "left without power",
    "moved to shelters",
    "registered for aid",
]


class Story:
    """Facts (slot values) plus several wordings each, so copies can be paraphrased."""

    def __init__(self, rng: random.Random, sid: str) -> None:
        self.sid = sid
        self.place = name(rng, rng.randint(2, 3))
        self.region = name(rng, 3)
        self.org = f"{self.region} {rng.choice(ORG_KIND)}"
        self.people = [(person(rng), rng.choice(ROLES)) for _ in range(rng.randint(2, 4))]
        self.day = rng.choice(DAYS)
        self.month = rng.choice(MONTHS)
        self.quotes = [make_quote(rng) for _ in range(rng.randint(1, 3))]
        self.slots = [self.fact_slots(rng, i) for i in range(rng.randint(5, 9))]
        facts = [("event", 0), ("quote", 0), ("count", 1)]
        facts += [("event", i) for i in range(2, len(self.slots))]
        facts += [("quote", i) for i in range(1, len(self.quotes))]
        rest = facts[3:]
        rng.shuffle(rest)
        facts = facts[:3] + rest
        if rng.random() < 0.5:
            facts.insert(rng.randint(3, len(facts)), ("filler", rng.randrange(len(FILLERS))))
        self.facts = facts

    def np(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.25:
            return f"the {rng.choice(ADJ)} {rng.choice(NOUN)} in {self.place}"
        if r < 0.5:
            return f"the {rng.choice(NOUN)} near {name(rng, 2)}"
        return f"the {rng.choice(ADJ)} {rng.choice(NOUN)}"

    def fact_slots(self, rng: random.Random, i: int) -> dict[str, str]:
        who, role = self.people[i % len(self.people)]
        subj = rng.choice(
            [
                self.org,
                f"{role} {who}",
                "police",
                f"{self.region} authorities",
                f"the {rng.choice(ADJ)} {rng.choice(NOUN)} operator",
            ]
        )
        adv = rng.choice(ADV).format(day=self.day, year=rng.randint(1990, 2022))
        return {
            "S": subj,
            "V": rng.choice(VERB),
            "O": self.np(rng),
            "A": adv,
            "W": rng.choice([f"{who}, the {role},", self.org, f"a {role}"]),
            "N": str(rng.randint(12, 4800)),
            "P": rng.choice(WHO),
            "X": rng.choice(WHAT),
        }

    def sentence(self, fact: tuple[str, int], v: int) -> str:
        t, i = fact
        if t == "filler":
            return FILLERS[i]
        if t == "quote":
            who, role = self.people[i % len(self.people)]
            q = self.quotes[i]
            return [
                f'"{q}," {role} {who} said.',
                f'"{q}," said {who}, the {role}.',
                f'{who}, the {role}, said: "{q}."',
            ][v % 3]
        f = self.slots[i]
        w = f["W"].rstrip(",")
        if t == "count":
            return [
                f"At least {f['N']} {f['P']} were {f['X']} in {self.place} {f['A']}, {w} said.",
                f"{w.capitalize()} put the number of {f['P']} {f['X']} around {self.place} "
                f"at {f['N']}.",
                f"Some {f['N']} {f['P']} have been {f['X']}, according to {w}.",
            ][v % 3]
        a = f["A"][0].upper() + f["A"][1:]
        s = f["S"][0].upper() + f["S"][1:]
        return [
            f"{s} {f['V']} {f['O']} {f['A']}, {w} said.",
            f"According to {w}, {f['O']} was {f['V']} {f['A']}.",
            f"{a}, {w} said, {f['S']} had {f['V']} {f['O']}.",
        ][v % 3]

    def headline(self, v: int) -> str:
        f = self.slots[0]
        return [
            f"{self.place}: {f['O'][4:]} {f['V']} {f['A']}",
            f"{f['N']} {f['P']} {f['X']} in {self.place}",
            f"{self.org} under pressure over {self.place}",
            f"What we know about the {self.place} {f['O'].split()[-1]} decision",
        ][v % 4]

    def wire(self) -> list[str]:
        return [self.sentence(f, 0) for f in self.facts]

    def lede(self) -> str:
        return self.sentence(self.facts[0], 0)


def light(rng: random.Random, sents: list[str]) -> list[str]:
    out = list(sents)
    if len(out) > 4:
        del out[rng.randrange(2, len(out))]
    res = []
    for s in out:
        for a, b in list(SYNONYMS.items()) + list(SPELLING.items()):
            if f" {a} " in s and rng.random() < 0.6:
                s = s.replace(f" {a} ", f" {b} ", 1)
        res.append(s)
    return res


def context(rng: random.Random, st: Story) -> str:
    return rng.choice(
        [
            f"The {st.region} area has seen several similar incidents over the past decade.",
            f"{st.place} lies about {rng.randint(20, 300)} kilometres from the regional capital.",
            f"Local media had reported concerns in {st.place} for several months.",
            f"The {st.org} was established in {rng.randint(1950, 2015)} to oversee such matters.",
        ]
    )


def rewrite(rng: random.Random, st: Story, heavy: bool) -> list[str]:
    out = []
    for f in st.facts:
        if f[0] == "quote":
            if heavy and f[1] > 0 and rng.random() < 0.5:
                continue
            out.append(st.sentence(f, rng.randint(0, 2)))
        elif f[0] == "filler":
            continue
        elif heavy:
            if rng.random() < 0.3:
                out.append(st.sentence(f, rng.randint(1, 2)))
        else:
            r = rng.random()
            if r < 0.25:
                out.append(st.sentence(f, 0))  # kept
            elif r < 0.8:
                out.append(st.sentence(f, rng.randint(1, 2)))  # paraphrased
    if not any('"' in s for s in out):
        out.append(st.sentence(("quote", 0), 1))
    head, tail = out[:1], out[1:]
    rng.shuffle(tail)
    out = head + tail
    for _ in range(rng.randint(1, 3)):
        out.insert(rng.randint(1, len(out)), context(rng, st))
    return out


# -- outlets and chrome ----------------------------------------------------------------------

FEATURES = [
    "wrap",
    "blank",
    "oneline",
    "crlf",
    "rail_before",
    "rail_ledes",
    "rail_nostamp",
    "captions",
    "pullquote",
    "byline_multi",
    "share",
    "comments",
    "cookie",
    "mostread",
    "newsletter",
    "dateline",
    "foreign",
    "republish",
]
# Small-outlet layouts. Drawn from their own random streams and only in their own
# mixes, so the other mixes (and bench_scale.py's pages) stay exactly as they were.
SMALL_FEATURES = ["giant_rail", "widget"]
MIXES = ["random", "dev_like", *FEATURES, *SMALL_FEATURES, "small_outlets"]


class Outlet:
    def __init__(self, rng: random.Random, idx: int, mix: str, seed: int = 0) -> None:
        stem = name(rng, 2).lower()
        suffix = rng.choice(["news", "post", "times", "today", "daily"])
        if mix == "small_outlets":
            stem += str(idx)  # hundreds of outlets: names must not collide
        self.name = f"{stem}{suffix}.example"
        if mix == "dev_like":
            self.f = {k: False for k in FEATURES}
        else:
            self.f = {k: rng.random() < 0.3 for k in FEATURES}
        if mix in FEATURES:
            self.f[mix] = True
        fmt = [k for k in ("wrap", "blank", "oneline") if self.f[k]]
        for k in fmt[1:]:
            self.f[k] = False  # one paragraph format per outlet
        self.lang = rng.choice(["id", "es", "de"]) if self.f["foreign"] else "en"
        w = CHROME_WORDS[self.lang]
        self.menu = rng.sample(MENUS[self.lang], rng.randint(3, 7))
        self.menu_one_line = rng.random() < 0.4
        self.ad = rng.choice(w["ad"])
        self.rail_title = rng.choice(w["rail"])
        self.most_title = rng.choice(w["most"])
        self.share = w["share"]
        self.comments = w["comments"]
        self.login = w["login"]
        self.ago = w["ago"]
        self.cookie = rng.choice(COOKIE)
        self.newsletter = rng.choice(NEWSLETTER)
        self.title = self.name.split(".")[0].capitalize()
        self.footer = [
            f"© {rng.randint(2019, 2025)} {self.title} Media",
            rng.choice(
                [
                    "About | Contact | Privacy | Terms",
                    "Impressum | Datenschutz",
                    "Tentang Kami | Pedoman Media Siber",
                    "Aviso legal | Contacto",
                ]
            ),
        ]
        self.wrap_width = rng.randint(62, 78)
        self.rail_len = rng.randint(3, 6)
        self.rail_lede_words = rng.choice([None, 12, 14, 16])  # None: the whole lede
        xr = random.Random(f"{seed}-outlet-{idx}")
        for k in SMALL_FEATURES:
            self.f[k] = mix == k or (mix == "small_outlets" and xr.random() < 0.5)
        # A rail of 25 to 45 teasers the outlet prints on every page, rotated.
        n_teasers = xr.randint(25, 45)
        rail_lang = self.lang if self.lang in chrome_widgets.TEASER else "en"
        self.teasers = chrome_widgets.teasers(xr, rail_lang, n_teasers, name)
        self.teasers_above = xr.random() < 0.3
        # Outlets 2k and 2k + 1 belong to one publisher and embed its widget.
        pub = random.Random(f"{seed}-publisher-{idx // 2}")
        self.widget_lang = pub.choice(["id", "es", "de"]) if pub.random() < 0.3 else "en"
        self.widget = chrome_widgets.widget(pub, self.widget_lang)


def wrap_para(text: str, o: Outlet) -> list[str]:
    if o.f["wrap"]:
        return textwrap.wrap(text, o.wrap_width)
    return [text]


def rail_block(rng: random.Random, o: Outlet, others: list[Story], title: str) -> list[str]:
    out = [title]
    for st in others:
        lede = st.lede()
        if o.rail_lede_words:
            lede = " ".join(lede.split()[: o.rail_lede_words]) + rng.choice(["", "...", " …"])
        if o.f["rail_ledes"]:
            out += wrap_para(lede, o)  # bare ledes, nothing between them
            continue
        out.append(st.headline(rng.randint(0, 3)))
        if not o.f["rail_nostamp"]:
            out.append(f"{rng.randint(1, 23)} {o.ago}")
        if rng.random() < 0.5:
            out += wrap_para(lede, o)
    return out


def page(
    rng: random.Random, o: Outlet, st: Story, sents: list[str], others: list[Story], kind: str
) -> str:
    if kind == "wire":
        agency = rng.choice(AGENCIES)
        body = [f"({agency}) - {sents[0]}", *sents[1:]]
        return "\n\n".join(body) if rng.random() < 0.5 else "\n".join(body)
    lines: list[str] = []
    if o.f["cookie"]:
        lines += [*wrap_para(o.cookie, o), "Accept", "Settings"]
    lines.append(o.title)
    lines += [" | ".join(o.menu)] if o.menu_one_line else list(o.menu)
    if rng.random() < 0.5:
        lines.append(o.ad)
    if o.f["rail_before"]:
        lines += rail_block(rng, o, others[: o.rail_len], o.rail_title)
    lines.append(st.headline(rng.randint(0, 3)))
    by = person(rng)
    stamp = (
        f"{rng.randint(1, 28)} {st.month} 2024, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    )
    if o.f["byline_multi"]:
        lines += [
            f"By {by}",
            rng.choice(["Senior correspondent", "Staff reporter", "Wire desk"]),
            f"Published {stamp}",
            "Updated 2 hours later",
        ]
    else:
        lines.append(f"{by} | {stamp}")
    if o.f["share"]:
        lines += o.share
    paras = list(sents)
    if o.f["dateline"]:
        paras[0] = (
            f"{st.place.upper()}, {st.month} {rng.randint(1, 28)} "
            f"({rng.choice(AGENCIES)}) - {paras[0]}"
        )
    if o.f["captions"]:
        cap = (
            f"A resident walks past {st.slots[0]['O']} on {st.day}. "
            f"Photo: {person(rng)}/{rng.choice(AGENCIES)}"
        )
        paras.insert(rng.randint(0, min(2, len(paras))), "\x00" + cap)
    if o.f["pullquote"] and any('"' in s for s in sents):
        q = next(s for s in sents if '"' in s).split('"')[1]
        paras.insert(rng.randint(2, max(2, len(paras))), "\x00" + f'"{q}"')
    if rng.random() < 0.4 and len(paras) > 3:
        paras.insert(rng.randint(2, len(paras) - 1), "\x00" + o.ad)
    body: list[str] = []
    if o.f["oneline"]:
        text = " ".join(p.lstrip("\x00") for p in paras if not p.startswith("\x00" + o.ad))
        body = [text]
    else:
        for p in paras:
            chrome = p.startswith("\x00")
            plines = [p[1:]] if chrome else wrap_para(p, o)
            body += plines
            if o.f["blank"] or o.f["wrap"]:
                body.append("")
    lines += body
    if rng.random() < 0.3:
        lines.append(f"({rng.choice(AGENCIES)})")
    if o.f["share"]:
        lines += o.share
    if o.f["newsletter"]:
        lines += [*wrap_para(o.newsletter, o), "Subscribe"]
    if not o.f["rail_before"]:
        lines += rail_block(rng, o, others[: o.rail_len], o.rail_title)
    if o.f["mostread"]:
        lines.append(o.most_title)
        for i, other in enumerate(others[o.rail_len : o.rail_len + 5], 1):
            lines.append(f"{i}. {other.headline(rng.randint(0, 3))}")
    if o.f["comments"]:
        n = rng.randint(0, 4)
        lines.append(f"{o.comments} ({n})")
        for _ in range(n):
            lines += [f"{rng.choice(GIVEN)}{rng.randint(1, 99)}", rng.choice(COMMENTS)]
    if o.f["widget"]:
        count = chrome_widgets.widget_count(rng, o.widget_lang)
        lines += [*o.widget[:2], count, *o.widget[2:]]
    if o.f["giant_rail"]:
        start = rng.randrange(len(o.teasers))
        shown = o.teasers[start:] + o.teasers[:start]
        rail = [o.most_title, *shown[: rng.randint(len(shown) * 2 // 3, len(shown))]]
        if o.teasers_above:
            at = lines.index(o.title) + 1
            lines[at:at] = rail
        else:
            lines += rail
    if rng.random() < 0.5:
        lines.append(o.login)
    lines += o.footer
    nl = "\r\n" if o.f["crlf"] else "\n"
    return nl.join(lines) + nl


def generate(out: Path, seed: int, n_stories: int, mix: str) -> None:
    rng = random.Random(seed)
    stories = [Story(rng, f"s{i:03d}") for i in range(n_stories)]
    related: list[list[str]] = []
    # follow-ups: a later story quotes an earlier one (genuinely shared passage)
    for st in stories:
        if rng.random() < 0.04:
            other = rng.choice(stories)
            if other is not st:
                st.quotes.append(other.quotes[0])
                st.facts.append(("quote", len(st.quotes) - 1))
                related.append(sorted([st.sid, other.sid]))
    n_outlets = rng.randint(8, 14)
    if mix == "small_outlets":
        n_outlets = 2 * n_stories  # most outlets get one or two pages
    outlets = [Outlet(rng, i, mix, seed) for i in range(n_outlets)]
    stubs = random.Random(f"{seed}-stubs")
    rail_pool = {o.name: rng.sample(stories, min(40, len(stories))) for o in outlets}
    docs, truth = [], []
    for st in stories:
        n = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 20, 18, 14, 10, 8])[0]
        chosen = rng.sample(outlets, min(n, len(outlets)))
        for o in chosen:
            kinds = ["wire", "verbatim", "light", "rewrite", "heavy"]
            kind = rng.choices(kinds, weights=[8, 30, 22, 22, 18])[0]
            copies = [kind]
            if o.f["republish"] and rng.random() < 0.5:
                copies.append(rng.choice(["verbatim", "light", "rewrite"]))
            for k in copies:
                if k == "wire":
                    sents = st.wire()
                elif k == "verbatim":
                    sents = st.wire()
                    if rng.random() < 0.3:
                        sents = sents[: max(3, int(len(sents) * rng.uniform(0.5, 0.8)))]
                elif k == "light":
                    sents = light(rng, st.wire())
                else:
                    sents = rewrite(rng, st, heavy=k == "heavy")
                pool = [s for s in rail_pool[o.name] if s is not st]
                start = rng.randrange(len(pool))
                others = (pool[start:] + pool[:start])[:12]
                story = st.sid
                if mix == "small_outlets" and k != "wire" and stubs.random() < 0.1:
                    # Paywalled: a headline and a one-line standfirst in the chrome.
                    k, story = "stub", f"{st.sid}-stub{len(docs)}"
                    sents = [f"What we know so far about {st.place}."]
                text = page(rng, o, st, sents, others, k)
                if k == "wire":
                    src = rng.choice(AGENCIES).lower().replace(" ", "") + ".wire"
                else:
                    src = o.name
                docs.append({"id": "", "source": src, "text": text})
                truth.append({"id": "", "story": story, "kind": k})
    order = list(range(len(docs)))
    rng.shuffle(order)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "docs.jsonl", "w", encoding="utf-8") as fd,
        open(out / "truth.jsonl", "w", encoding="utf-8") as ft,
    ):
        for n, i in enumerate(order):
            did = f"g{n:04d}"
            fd.write(json.dumps({**docs[i], "id": did}, ensure_ascii=False) + "\n")
            ft.write(json.dumps({**truth[i], "id": did}) + "\n")
    (out / "related_stories.json").write_text(
        json.dumps(sorted(map(list, {tuple(r) for r in related})))
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stories", type=int, default=250)
    ap.add_argument("--mix", choices=MIXES, default="random")
    a = ap.parse_args()
    generate(a.out, a.seed, a.stories, a.mix)


if __name__ == "__main__":
    main()
