"""``switchboard bench speech --wer --languages``: is a caller who opens in another language noticed?

Requests a caller might open with, in Spanish, French, German and Polish, spoken by
espeak-ng's voice for that language (two variants, rates and pitches), clean and through
the telephone channel, decoded by each multilingual model asked for. It prints, per
language, how often the turn was heard as not English (the caller is then passed to a
person, told so in their language) and how often the language was named right. The
opposite error, English heard as another language, is the ``not-en`` column of
``bench speech --wer``.
"""

from __future__ import annotations

import argparse

import numpy as np

from agent.dev.bench.voices import speech

RATE = 16000
REQUESTS: dict[str, tuple[str, ...]] = {
    "es": ("Hola, tengo un problema con la bomba de agua en la planta.",
           "Buenos días, necesito ayuda con mi cuenta de correo.",
           "La impresora de la segunda planta no funciona."),
    "fr": ("Bonjour, la pompe de la station ne fonctionne plus.",
           "J'ai besoin d'aide avec mon ordinateur portable.",
           "Il y a une fuite d'eau dans le bâtiment sept."),
    "de": ("Guten Tag, die Pumpe in der Anlage ist kaputt.",
           "Ich brauche Hilfe mit meinem Passwort.",
           "Der Drucker im zweiten Stock funktioniert nicht."),
    "pl": ("Dzień dobry, pompa w stacji nie działa.",
           "Potrzebuję pomocy z moim hasłem.",
           "Drukarka na drugim piętrze nie działa."),
}
VARIANTS = ("{lang}:150:50", "{lang}+m3:170:40")
CONDITIONS = ("clean", "phone")


def run(args: argparse.Namespace) -> int:
    from agent.dev.bench.speech_wer import condition
    from agent.speech.models import MODELS
    from agent.speech.stt import WhisperRecognizer

    models = [m for m in args.model or list(MODELS) if MODELS[m].multilingual]
    if not models:
        print("no multilingual model chosen: an English-only model cannot tell languages apart")
        return 1
    rng = np.random.default_rng(args.seed)
    clips = [(lang, cond, condition(speech(text, RATE, "espeak:" + v.format(lang=lang)), cond, rng))
             for lang, texts in REQUESTS.items() for text in texts for v in VARIANTS for cond in CONDITIONS]
    print(f"{len(clips)} clips: {len(REQUESTS)} languages x 3 requests x {len(VARIANTS)} espeak-ng variants "
          f"x {len(CONDITIONS)} conditions")
    for model in models:
        rec = WhisperRecognizer(model=model, workers=1)
        print(f"{model:<8} {'language':<8} {'condition':<9} {'not English':>11} {'named right':>11}  heard as")
        for lang in REQUESTS:
            for cond in CONDITIONS:
                heard = [rec.transcribe(a).language for c_lang, c, a in clips if c_lang == lang and c == cond]
                foreign = sum(h != "en" for h in heard)
                print(f"{model:<8} {lang:<8} {cond:<9} {foreign / len(heard):>11.0%} "
                      f"{sum(h == lang for h in heard) / len(heard):>11.0%}  {' '.join(str(h) for h in heard)}")
    return 0
