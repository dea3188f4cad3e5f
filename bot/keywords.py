"""Global keywords in every language, and the words that answer menus and questions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.text import bare

HELP, HEARING, CHANGE, LANGUAGE, STOP, START, DELETE, SHELTER, MORE, SAFETY = (
    "help", "hearing", "change", "language", "stop", "start", "delete", "shelter", "more", "safety",
)  # fmt: skip

# word (folded: no accents, lower case) -> (command, the language it tells us, if only one)
_TABLE: dict[str, tuple[str, str | None]] = {}


def _add(command: str, lang: str | None, *words: str) -> None:
    for word in words:
        _TABLE[bare(word)] = (command, lang)


_add(HELP, "en", "HELP")
_add(HELP, "es", "AYUDA")
_add(HELP, "pt", "AJUDA")
_add(HELP, "fr", "AIDE")
_add(HELP, "ht", "ÈD", "ED")
_add(HEARING, "en", "HEARING")
_add(HEARING, None, "AUDIENCIA", "AUDIÊNCIA")
_add(HEARING, "fr", "AUDIENCE")
_add(HEARING, "ht", "ODYANS")
_add(CHANGE, "en", "CHANGE")
_add(CHANGE, "es", "CAMBIAR")
_add(CHANGE, "pt", "MUDAR")
_add(CHANGE, "fr", "CHANGER")
_add(CHANGE, "ht", "CHANJE")
_add(LANGUAGE, "en", "LANGUAGE")
_add(LANGUAGE, None, "IDIOMA")
_add(LANGUAGE, "fr", "IDIOME", "LANGUE")
_add(LANGUAGE, "ht", "LANG")
# Twilio's English defaults first, then ours: Twilio only knows English, WhatsApp knows none.
_add(STOP, None, "STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT")
_add(STOP, "es", "ALTO", "BAJA", "CANCELAR")
_add(STOP, "pt", "PARAR", "PARE")
_add(STOP, "fr", "ARRET", "ARRÊT")
_add(STOP, "ht", "SISPANN")
_add(START, None, "START", "UNSTOP")
_add(START, "es", "ALTA")
_add(START, "pt", "COMEÇAR", "COMECAR")
_add(START, "fr", "COMMENCER")
_add(START, "ht", "KÒMANSE", "KOMANSE")
_add(DELETE, "en", "DELETE")
_add(DELETE, "es", "BORRAR")
_add(DELETE, "pt", "APAGAR")
_add(DELETE, "fr", "SUPPRIMER")
_add(DELETE, "ht", "EFASE")
_add(SHELTER, "en", "SHELTER", "SHELTERS")
_add(SHELTER, None, "ALBERGUE", "ALBERGUES")  # Spanish and Portuguese
_add(SHELTER, "es", "REFUGIO", "REFUGIOS", "CASA DEL MIGRANTE", "CASA DE MIGRANTE")
_add(SHELTER, "pt", "ABRIGO", "ABRIGOS")
_add(SHELTER, "fr", "ABRI", "ABRIS", "REFUGE", "HÉBERGEMENT")
_add(SHELTER, "ht", "KAY", "AZIL")
_add(MORE, "en", "MORE")
_add(MORE, "es", "MAS", "MÁS")
_add(MORE, "pt", "MAIS")
_add(MORE, "fr", "PLUS")
_add(MORE, "ht", "PLIS")
_add(SAFETY, "en", "SAFETY")
_add(SAFETY, "es", "SEGURIDAD")
_add(SAFETY, "pt", "SEGURANÇA", "SEGURANCA")
_add(SAFETY, "fr", "SÉCURITÉ", "SECURITE")
_add(SAFETY, "ht", "SEKIRITE")


@dataclass(frozen=True)
class Keyword:
    command: str
    lang: str | None


def match(text: str) -> Keyword | None:
    """The keyword a message is, when the whole message is that one word."""
    found = _TABLE.get(bare(text))
    return Keyword(*found) if found else None


YES = {
    bare(w)
    for w in (
        "SI",
        "SÍ",
        "YES",
        "Y",
        "SIM",
        "S",
        "OUI",
        "WI",
        "OK",
        "OKAY",
        "CORRECTO",
        "CORRECT",
        "CERTO",
        "EXACTO",
        "DAKO",
    )
}  # noqa: E501
NO = {bare(w) for w in ("NO", "N", "NÃO", "NAO", "NON", "NOPE", "INCORRECTO", "ERRADO")}


# "I don't know" / "it doesn't say", to skip an optional question.
UNKNOWN = {
    bare(w)
    for w in (
        "no sé", "no se", "nose", "no lo sé", "no lo se", "no dice", "no tengo", "no tiene", "ninguna", "ninguno",
        "i don't know", "i dont know", "dont know", "idk", "it doesn't say", "none", "no time",
        "não sei", "nao sei", "não diz", "nao tem", "je ne sais pas", "je sais pas", "sais pas", "aucune", "rien",
        "m pa konnen", "mwen pa konnen", "pa konnen", "li pa di", "pa genyen",
    )
}  # fmt: skip


def is_unknown(text: str) -> bool:
    return bare(text) in UNKNOWN


def is_yes(text: str) -> bool:
    return bare(text) in YES


def is_no(text: str) -> bool:
    return bare(text) in NO


LANGUAGE_NAMES = {
    "es": ("espanol", "spanish", "castellano", "espagnol", "espanhol", "panyol"),
    "en": ("english", "ingles", "anglais", "angle", "ingle"),
    "pt": ("portugues", "portuguese", "portugais", "potige", "portugal", "brasil"),
    "fr": ("francais", "french", "frances", "franse"),
    "ht": ("kreyol", "creole", "creol", "haitian", "haitiano", "ayisyen", "crioulo", "kreol"),
}
OTHER_WORDS = {"other", "otro", "otra", "outro", "outra", "autre", "lot", "ninguna", "none"}
GREETINGS = {
    "en": {"hi", "hello", "hey", "good morning", "good afternoon", "good evening"},
    "pt": {"ola", "oi", "bom dia", "boa tarde", "boa noite", "obrigado", "obrigada"},
    "fr": {"bonjour", "salut", "bonsoir", "merci"},
    "ht": {"bonjou", "bonswa", "alo", "mesi", "sak pase", "kijan ou ye"},
}


def language_choice(text: str, order: tuple[str, ...]) -> str | None:
    """The language a menu answer picks: its number in `order` or its name in any language."""
    said = bare(text)
    if said.isdigit():
        n = int(said)
        return order[n - 1] if 1 <= n <= len(order) else None
    tokens = set(said.split())
    for lang, names in LANGUAGE_NAMES.items():
        if tokens & set(names):
            return lang
    return None


def guess_language(text: str) -> str | None:
    """A language a first message's greeting gives away, if any."""
    said = f" {bare(text)} "
    for lang, greetings in GREETINGS.items():
        if any(f" {g} " in said for g in greetings):
            return lang
    return None
