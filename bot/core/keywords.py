"""Global keywords in every language, and the words that answer menus and questions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import bare

HELP, HEARING, CHANGE, LANGUAGE, STOP, START, DELETE, SHELTER, MORE, SAFETY, HUMAN, LEAVE, LEGAL, CALLS = (
    "help",
    "hearing",
    "change",
    "language",
    "stop",
    "start",
    "delete",
    "shelter",
    "more",
    "safety",
    "human",
    "leave",
    "legal",
    "calls",
)
MEDICAL, FOOD = "medical", "food"

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
_add(STOP, "fr", "ARRET", "ARRÊT", "ARRÊTEZ", "ARRÊTE")
_add(STOP, "ht", "SISPANN")
# START in every language: after a Twilio STOP, only START, YES or UNSTOP reach the person again
# (docs/opt-out.md), so every confirmation names START; the local words stay as aliases.
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
_add(MORE, "es", "OTROS", "MAS", "MÁS")
_add(MORE, "pt", "MAIS")
_add(MORE, "fr", "PLUS")
_add(MORE, "ht", "PLIS")
_add(SAFETY, "en", "SAFETY")
_add(SAFETY, "es", "SEGURIDAD")
_add(SAFETY, "pt", "SEGURANÇA", "SEGURANCA")
_add(SAFETY, "fr", "SÉCURITÉ", "SECURITE")
_add(SAFETY, "ht", "SEKIRITE")
_add(HUMAN, "es", "HUMANO", "PERSONA", "VOLUNTARIO", "VOLUNTARIA")
_add(HUMAN, "en", "HUMAN", "PERSON", "AGENT")
_add(HUMAN, "pt", "PESSOA")
_add(HUMAN, "fr", "HUMAIN", "PERSONNE")
_add(HUMAN, "ht", "MOUN")
# Leaving a conversation with a volunteer. Never END: carriers and Twilio treat END as STOP.
_add(LEAVE, None, "FIN")  # Spanish and French
_add(LEAVE, "en", "DONE")
_add(LEAVE, "pt", "FIM")
_add(LEAVE, "ht", "FINI")
# Legal help near the person (data/services.csv, kinds legal_aid and migrant_rights): listings, never advice.
_add(LEGAL, None, "LEGAL")  # English, Spanish and Portuguese alike
_add(LEGAL, "en", "LAWYER", "LEGAL AID", "LEGAL HELP")
_add(LEGAL, "es", "ABOGADO", "ABOGADA", "ABOGADOS", "AYUDA LEGAL", "ASESORIA LEGAL", "ASESORÍA LEGAL")
_add(LEGAL, "pt", "ADVOGADO", "ADVOGADA", "ADVOGADOS", "AJUDA JURÍDICA", "AJUDA JURIDICA")
_add(LEGAL, "fr", "AVOCAT", "AVOCATE", "AVOCATS", "AIDE JURIDIQUE")
_add(LEGAL, "ht", "AVOKA")
# The directory's other lists (bot/core/services.TOPICS): medical care and food near the person.
_add(MEDICAL, None, "DOCTOR", "MÉDICO", "MEDICO")  # Spanish, Portuguese and English alike
_add(MEDICAL, "es", "CLÍNICA", "CLINICA", "SALUD")
_add(MEDICAL, "en", "MEDICAL", "CLINIC")
_add(MEDICAL, "pt", "SAÚDE", "SAUDE")
_add(MEDICAL, "fr", "MÉDECIN", "MEDECIN", "DOCTEUR")
_add(MEDICAL, "ht", "DOKTÈ", "DOKTE", "KLINIK")
_add(FOOD, None, "COMIDA")  # Spanish and Portuguese
_add(FOOD, "en", "FOOD")
_add(FOOD, "pt", "ALIMENTO")
_add(FOOD, "fr", "NOURRITURE", "MANGER", "REPAS")
_add(FOOD, "ht", "MANJE")
# Reminder calls too (docs/voice.md): for people who read little, or not our languages.
_add(CALLS, "es", "LLAMADA", "LLAMADAS")
_add(CALLS, None, "VOZ")  # Spanish and Portuguese
_add(CALLS, "en", "CALL", "CALLS", "VOICE")
_add(CALLS, "pt", "LIGAÇÃO", "LIGACAO", "LIGAÇÕES", "LIGACOES")
_add(CALLS, "fr", "APPEL", "APPELS", "VOIX")
_add(CALLS, "ht", "APÈL", "APEL", "VWA")


# Words of courtesy around a keyword: "STOP por favor", "please STOP", "AYUDA gracias" are keywords.
POLITE = frozenset(
    part
    for phrase in (
        "por favor",
        "porfa",
        "porfavor",
        "favor",
        "gracias",
        "ya",
        "ahora",
        "please",
        "pls",
        "plz",
        "thanks",
        "thank you",
        "now",
        "obrigado",
        "obrigada",
        "agora",
        "merci",
        "svp",
        "s il vous plait",
        "s il te plait",
        "maintenant",
        "tanpri",
        "mesi",
        "kounye a",
        "ok",
    )
    for part in bare(phrase).split()
)

# Whole requests to stop, as people write them (matched on bare text, in any language). A sentence
# that merely contains "no" or "stop" (a hearing message, "no tengo la hora") is not one of these.
STOP_PHRASES = {
    "es": (
        r"\bya no (quiero|deseo|necesito) (recibir |que me (manden|envien|escriban) )?(mas )?"
        r"(mensajes|avisos|recordatorios|textos|sms|nada)\b",
        r"\bno (quiero|deseo) (recibir )?(mas )?(mensajes|avisos|recordatorios|textos|sms)\b",
        r"\bno (me )?(manden|mande|envien|envie|escriban|escriba) (mas|nada)\b",
        r"\b(dejen|deje) de (enviar|mandar|escribir)",
        r"\bdar(me)? de baja\b",
        r"\bya no me (escriban|manden)\b",
    ),
    "en": (
        r"\bstop (sending|texting|messaging|writing)\b",
        r"\bno more (messages|texts|reminders|sms)\b",
        r"\b(don t|do not) (text|message|write|contact) me\b",
        r"\bunsubscribe me\b",
        r"\b(i )?(don t|do not) want (any )?(more )?(messages|texts|reminders)\b",
    ),
    "pt": (
        r"\bpar(e|em) de (enviar|mandar|escrever)",
        r"\bnao (quero|desejo) (receber )?(mais )?(mensagens|avisos)\b",
        r"\bnao me (mande|mandem|envie|enviem) mais\b",
        r"\bchega de mensagens\b",
    ),
    "fr": (
        r"\barret(e|ez) (de m|d envoyer|les messages|tout)",
        r"\bne m envo(y|i)ez plus\b",
        r"\bje ne veux plus (de |recevoir )?(messages|sms|rappels)\b",
        r"\bplus de messages\b",
        r"\bme desinscrire\b",
        r"\bdesabonne(z)?( moi)?\b",
    ),
    "ht": (
        r"\bsispann voye\b",
        r"\bpa voye (m|mwen) (mesaj )?anko\b",
        r"\bmwen pa vle (mesaj|resevwa)",
        r"\bpa ekri (m|mwen) anko\b",
    ),
}
_STOP_PHRASES = [(lang, re.compile(pattern)) for lang, patterns in STOP_PHRASES.items() for pattern in patterns]


@dataclass(frozen=True)
class Keyword:
    command: str
    lang: str | None


def core(text: str) -> str:
    """A message's bare words without the courtesy around them: 'STOP por favor!' -> 'stop'."""
    said = bare(text).split()
    while said and said[0] in POLITE:
        said.pop(0)
    while said and said[-1] in POLITE:
        said.pop()
    return " ".join(said)


def match(text: str) -> Keyword | None:
    """The keyword a message is: one word (with courtesy around it), or a whole request to stop."""
    found = _TABLE.get(bare(text)) or _TABLE.get(core(text))
    if found:
        return Keyword(*found)
    said = bare(text)
    for lang, pattern in _STOP_PHRASES:
        if pattern.search(said):
            return Keyword(STOP, lang)
    return None


def understood(text: str) -> bool:
    """Whether the bot knows what a word means on its own (a keyword, yes, no, a menu number)."""
    return bool(match(text)) or is_yes(text) or is_no(text) or bare(text).isdigit()


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
        "no sé",
        "no se",
        "nose",
        "no lo sé",
        "no lo se",
        "no dice",
        "no tengo",
        "no tiene",
        "ninguna",
        "ninguno",
        "i don't know",
        "i dont know",
        "dont know",
        "idk",
        "it doesn't say",
        "none",
        "no time",
        "não sei",
        "nao sei",
        "não diz",
        "nao tem",
        "je ne sais pas",
        "je sais pas",
        "sais pas",
        "aucune",
        "rien",
        "m pa konnen",
        "mwen pa konnen",
        "pa konnen",
        "li pa di",
        "pa genyen",
    )
}


def is_unknown(text: str) -> bool:
    return bare(text) in UNKNOWN or core(text) in UNKNOWN


def is_yes(text: str) -> bool:
    return bare(text) in YES or core(text) in YES


def is_no(text: str) -> bool:
    return bare(text) in NO or core(text) in NO


LANGUAGE_NAMES = {
    "es": ("espanol", "spanish", "castellano", "espagnol", "espanhol", "panyol"),
    "en": ("english", "ingles", "anglais", "angle", "ingle"),
    "pt": ("portugues", "portuguese", "portugais", "potige", "portugal", "brasil"),
    "fr": ("francais", "french", "frances", "franse"),
    "ht": ("kreyol", "creole", "creol", "haitian", "haitiano", "ayisyen", "crioulo", "kreol"),
}
OTHER_WORDS = {"other", "otro", "otra", "outro", "outra", "autre", "lot", "ninguna", "none"}
GREETINGS = {
    "es": {"hola", "buenas", "buenos dias", "buenas tardes", "buenas noches", "gracias", "necesito", "quiero"},
    "en": {"hi", "hello", "hey", "good morning", "good afternoon", "good evening"},
    "pt": {"oi", "bom dia", "boa tarde", "boa noite", "obrigado", "obrigada", "tudo bem", "voce", "preciso"},
    "fr": {"bonjour", "salut", "bonsoir", "merci"},
    "ht": {"bonjou", "bonswa", "mesi", "sak pase", "kijan ou ye", "mwen", "bezwen"},
}
# Greetings of several languages ("ola", "alo"): Spanish, the language of almost everyone who
# writes, unless words of the other language come with them ("ola, tudo bem?").
SHARED_GREETINGS = {"ola", "alo", "halo"}


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
    hits = {lang: sum(f" {g} " in said for g in greetings) for lang, greetings in GREETINGS.items()}
    best = max(hits, key=hits.__getitem__)
    if hits[best]:
        return best
    if set(said.split()) & SHARED_GREETINGS:
        return "es"
    return None


# A new city at any time: "CIUDAD Juárez", "CITY Tijuana", or said naturally ("ahora estoy en Juárez").
CITY_WORDS = {"ciudad", "city", "cidade", "ville", "vil"}
_MOVE_PHRASES = [
    re.compile(p)
    for p in (
        r"^(?:ahora |ya )?(?:estoy|vivo|me encuentro|me cambie|me mude|me movi|me fui)(?: a| en| para)? (?P<rest>.+)$",
        r"^(?:now )?(?:i am|i m|im|i moved|i live|i m now|i am now)(?: now)?(?: in| to| at) (?P<rest>.+)$",
        r"^(?:agora )?(?:estou|moro|me mudei|mudei)(?: para| em| no| na) (?P<rest>.+)$",
        r"^(?:maintenant )?(?:je suis|j habite|je vis|j ai demenage)(?: maintenant)?(?: a| en| au| dans) (?P<rest>.+)$",
        r"^(?:kounye a )?(?:mwen|m)(?: ye| rete| ale| deplase)? (?:nan|a|lan) (?P<rest>.+)$",
    )
]


def moving(text: str) -> str | None:
    """The words after a city keyword or a "now I am in" phrase ('' for the keyword alone), else None."""
    said = bare(text)
    first, _, rest = said.partition(" ")
    if first in CITY_WORDS:
        return rest
    for pattern in _MOVE_PHRASES:
        if found := pattern.match(said):
            return found["rest"]
    return None


def change_with(text: str) -> str | None:
    """What follows CHANGE in one message ("CAMBIAR corte Tucson 9 de marzo"), or None."""
    first, _, rest = bare(text).partition(" ")
    found = _TABLE.get(first)
    return rest if found and found[0] == CHANGE and rest else None


MORNING_WORDS = {"am", "a m", "manana", "madrugada", "morning", "manha", "matin", "maten", "maten an"}
EVENING_WORDS = {"pm", "p m", "tarde", "noche", "evening", "night", "afternoon", "noite", "soir", "apremidi", "aswe"}


# After a list: "MAL 2 estaba cerrado" flags entry 2 for a volunteer (bot/core/conversation.on_wrong).
WRONG = "wrong"
WRONG_WORDS = {"mal", "wrong", "errado", "faux", "move"}


def wrong_with(text: str) -> tuple[int | None, str] | None:
    """(the entry's number or None, the person's other words) when a message starts with a WRONG word."""
    words = (text or "").split()
    if not words or bare(words[0]) not in WRONG_WORDS:
        return None
    rest = words[1:]
    number = int(rest[0]) if rest and rest[0].isdigit() and len(rest[0]) <= 3 else None
    return number, " ".join(rest[1:] if number is not None else rest)[:300]
