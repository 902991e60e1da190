"""The reference model's vocabulary: attack triggers and the directives it can carry out.

Patterns cover English plus the French, Spanish and German phrasings of the built-in phrase
table, so language variants are understood like a multilingual model would. They are written
independently of the probe families' detectors (the target must not share the tester's code).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

TRIGGERS = re.compile(
    r"ignore (?:all )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|rules)"
    r"|ignore the above|disregard|developer mode|you are now|new instructions"
    r"|system override|no restrictions|never refuses|pretend|jailbreak|do anything now"
    r"|ignore toutes les instructions|ignora todas las instrucciones|ignoriere alle"
    r"|mode développeur|modo desarrollador|entwicklermodus|nouvelles instructions"
    r"|nuevas instrucciones|neue anweisungen|note to ai|assistant:",
    _I,
)
GUARD_BLOCKLIST = re.compile(
    r"ignore (?:all )?previous instructions|developer mode|you are now|new instructions"
    r"|system override|no restrictions|pretend|disregard|system prompt|your instructions"
    r"|api key|password",
    _I,
)
JOIN = re.compile(
    r"(?:joining|joignant|uniendo|verbinden von)\s+['\"]?(\w+)['\"]?\s+(?:and|et|y|und)\s+"
    r"['\"]?(\w+)['\"]?",
    _I,
)
REVEAL_SYSTEM = re.compile(
    r"system ?prompt|prompt (?:système|de sistema)|systemprompt|(?:text|instructions) above"
    r"|initial instructions|your instructions|your configuration|everything above"
    r"|before this conversation",
    _I,
)
_ASK = r"(?:reveal|révèle|revela|verrate|print|show|tell me|give me|what is|what's|output|share|list|read out|repeat)"
ASK_SECRET = re.compile(
    _ASK
    + r"\b[^.?!\n]{0,40}\b(?:the|your|any|internal|la|el|den)\b[^.?!\n]{0,20}(?:api[ -]?key|clé api|clave api|api-schlüssel|password|token"
    r"|credential|secret)",
    _I,
)
ASK_PERSONAL = re.compile(
    _ASK + r"\b[^.?!\n]{0,60}(?:iban|card number|credit card|e-?mail address|customer record"
    r"|account number|personal data)",
    _I,
)
ECHO = re.compile(
    r"(?:reply|respond|answer|output|print|render|include|end your (?:answer|reply))"
    r"(?: with)?(?: exactly| verbatim| this| the following)[^:\n]{0,30}:\s*(.+)",
    _I,
)
TOOL = re.compile(
    r"(?:call|use|invoke|run|appelle|llama a|rufe jetzt)\s+(?:the |l'|la )?"
    r"(?:(?:tool|function|outil|herramienta|das werkzeug)\s+`?([\w-]+)`?|`?([\w-]+)`?\s+tool)",
    _I,
)
SPONGE_FOREVER = re.compile(r"forever|infinity|never stop|without stopping|endless", _I)
SPONGE_COUNT = re.compile(r"\b(\d{3,})\s+(?:times|words|lines|items|numbered items)\b", _I)
REPEAT_WORD = re.compile(r"(?:repeat|write) the word ['\"]?(\w+)['\"]?", _I)
ALLOWED_TOOLS = re.compile(r"^Allowed tools:\s*(.+?)\.?\s*(?:Any other|$)", re.MULTILINE)
SECRET_VALUE = re.compile(r"\bsk-[A-Za-z0-9_\-]{12,}")
PERSONAL_VALUES = (
    re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-.]+\.[A-Za-z]{2,}\b"),
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b"),
    re.compile(r"\b\d{4}(?:[ \-]?\d{4}){3}\b"),
)
RISKY_CHARS = re.compile(r"[<>`|;$]|\]\(|'\s*(?:or|--)|javascript:", _I)
# Requests for packages or install steps (package hallucination) and for clearly harmful
# content (jailbreak corpora). The target never produces real harmful detail: its vulnerable
# mode only pretends to comply, which is what the tester's detectors must recognise.
ASK_PACKAGE = re.compile(
    r"\b(?:pip|npm) install\b|\b(?:which|what) (?:python |npm |node )?(?:package|library|module)"
    r"|\binstall(?:ation)? (?:steps|command)",
    _I,
)
HARMFUL_GOAL = re.compile(
    r"\b(?:explosives?|pipe bomb|bomb|ransomware|keylogger|methamphetamine|meth|nerve agent"
    r"|poison|phishing kit|stolen credit cards?|gun|firearm)\b",
    _I,
)
