"""`volant voice recognize FILE` (a recording through the same recognizer and templates as the
app) and `volant voice models [download en|fr]` (what speech models are installed, per
language; download an official one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kernel.languages import CODES
from voice.models import ENGLISH_ENGINES, OFFICIAL


def register(sub: argparse._SubParsersAction) -> None:
    voice = sub.add_parser("voice", help="offline voice control: recognize a recording, "
                                         "list or download speech models")
    actions = voice.add_subparsers(dest="voice_command", metavar="ACTION", required=True)
    rec = actions.add_parser("recognize", help="print what a recording says and its intent")
    rec.add_argument("file", metavar="FILE.wav",
                     help="WAV (any rate/channels) or 16 kHz mono int16 .raw")
    rec.add_argument("--lang", choices=CODES,
                     help="language (default: the --intents file's, else the settings')")
    rec.add_argument("--intents", metavar="FILE",
                     help="intent template file (TOML, see voice/templates/en.toml)")
    rec.add_argument("--json", action="store_true", help="print one JSON object")
    rec.add_argument("--noise-frontend", choices=("on", "off"),
                     help="noise suppression + auto gain before recognition (default: the "
                          "voice_noise_frontend setting)")
    rec.add_argument("--engine", choices=ENGLISH_ENGINES,
                     help="English recognizer without a Vosk model (default: the "
                          "voice_english_engine setting)")
    rec.set_defaults(func=_recognize)
    models = actions.add_parser("models", help="list installed speech models; "
                                               "`download en|fr|zh` fetches an official one")
    models.add_argument("download", nargs="?", choices=("download",))
    models.add_argument("language", nargs="?", choices=tuple(OFFICIAL))
    models.add_argument("--site", default=None, help=argparse.SUPPRESS)  # tests: local server
    models.set_defaults(func=_models)


def _recognize(args: argparse.Namespace) -> int:
    from kernel.settings import SettingsStore, data_dir
    from voice import audio, intents
    from voice.engines import create_recognizer
    from voice.frontend import Listener

    settings = SettingsStore().load()
    try:
        templates = intents.load(args.intents or args.lang or settings.language)
    except intents.TemplateError as exc:
        print(f"volant voice: {exc}", file=sys.stderr)
        return 2
    language = args.lang or templates.language
    if args.lang and args.intents and templates.language != args.lang:
        print(f"volant voice: {args.intents} is for {templates.language!r}, not {args.lang!r}",
              file=sys.stderr)
        return 2
    try:
        samples = audio.read_audio(args.file)
    except audio.AudioError as exc:
        print(f"volant voice: {exc}", file=sys.stderr)
        return 2
    graph, _skipped = templates.graph({"place": list(settings.favourites)})
    try:
        engine, reason = create_recognizer(language, graph, data_dir=data_dir(),
                                           english=args.engine or settings.voice_english_engine)
    except ValueError as exc:  # e.g. no command of the file is in the model's vocabulary
        engine, reason = None, str(exc)
    if engine is None:
        print(f"volant voice: {reason}", file=sys.stderr)
        return 3
    if reason:  # the English engine asked for is off
        print(f"volant voice: Whisper is off: {reason}; English uses PocketSphinx",
              file=sys.stderr)
    denoise = (settings.voice_noise_frontend if args.noise_frontend is None
               else args.noise_frontend == "on")
    recognizer = Listener(engine, denoise=denoise)
    for chunk in audio.chunks(samples):
        recognizer.accept(chunk)
    heard = recognizer.finish()
    command = templates.acted_on(heard)  # as the app: Vosk's free-form text too, if it matches
    match = templates.parse(command) if command else None
    intent = None if match is None else {"name": match.intent, "slots": match.slots}
    guess = heard.guess or (heard.text if heard.rival and not command else "")
    if args.json:
        print(json.dumps({"transcript": heard.text, "intent": intent, "speech": heard.speech,
                          "guess": guess, "engine": recognizer.engine,
                          "language": language}, ensure_ascii=False))
    else:
        empty = ("(speech heard, but not a command I know)" if heard.speech
                 else "(nothing heard)")
        print(f"transcript: {heard.text or empty}")
        if guess:
            print(f"intent: none; did you mean {guess!r}? (the app asks to confirm)")
        elif intent is None:
            print("intent: none (not one of the commands)")
        else:
            slots = ", ".join(f"{k}={v}" for k, v in intent["slots"].items())
            print(f"intent: {intent['name']}" + (f" ({slots})" if slots else ""))
        print(f"engine: {recognizer.engine}, language: {language}")
    return 0


def _models(args: argparse.Namespace) -> int:
    from kernel.settings import data_dir
    from voice import models

    if args.download:
        if not args.language:
            print("volant voice models download: name a language: "
                  f"{', '.join(models.OFFICIAL)}", file=sys.stderr)
            return 2
        return _download(args.language, data_dir(), args.site or models.MODEL_SITE)
    found = models.find_models(data_dir())
    usable = {info.language for info in found if info.usable}
    for language in CODES:
        if language in usable:
            state = "usable (Vosk)"
        elif language == "en":
            state = "usable (PocketSphinx bundled English model; no Vosk model)"
        else:
            state = f"no model ({'volant voice models download ' + language})" \
                if language in models.OFFICIAL else "no model"
        print(f"{language}: {state}")
    for info in found:
        status = "ok" if info.usable else f"NOT USABLE, missing {', '.join(info.missing)}"
        print(f"  {info.language or '?'}  {info.path}  [{info.source}]  {status}")
    return 0


def _download(language: str, target: Path, site: str) -> int:
    from voice import models

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done / 1e6:6.1f}/"
              f"{total / 1e6:.1f} MB", end="", file=sys.stderr, flush=True)

    try:
        path = models.download(language, target, site=site, progress=progress)
    except models.ModelError as exc:
        print(f"\nvolant voice models: {exc}", file=sys.stderr)
        return 1
    print(f"\ninstalled {path}", file=sys.stderr)
    return 0
