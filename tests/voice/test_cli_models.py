"""`volant voice recognize` and `volant voice models` in-process (the Korean model stays loaded),
and the model download against a local HTTP server: these machines cannot reach the Vosk site,
so the server on 127.0.0.1 serves a model-list.json and a zip built from the real Korean model's
folder (its two large graph files cut to 64 KB: the test is about fetching, checking and
installing, the Korean package tests cover decoding)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from voice import models

DATA = Path(__file__).with_name("data")
GOFORWARD = Path("/usr/share/pocketsphinx/test/data/goforward.raw")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["voice", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_recognize_json_english(capsys, tmp_path, speak_wav):
    wav = speak_wav("take me to the nearest charging station", tmp_path / "c.wav")
    code, out, _ = run(capsys, "recognize", str(wav), "--json")
    assert code == 0
    assert json.loads(out) == {
        "transcript": "take me to the nearest charging station",
        "intent": {"name": "nearest", "slots": {"category": "charging_station"}},
        "speech": True, "guess": "", "engine": "pocketsphinx", "language": "en"}


def test_recognize_korean_with_vosk(capsys, tmp_path, speak_wav, korean_model_path):
    wav = speak_wav("음악 재생", tmp_path / "k.wav", voice="ko")
    code, out, _ = run(capsys, "recognize", str(wav), "--lang", "ko", "--json")
    assert code == 0
    assert json.loads(out) == {"transcript": "음악 재생", "intent": {"name": "play", "slots": {}},
                               "speech": True, "guess": "", "engine": "vosk",
                               "language": "ko"}


def test_recognize_with_another_command_set(capsys):
    code, out, _ = run(capsys, "recognize", str(GOFORWARD), "--intents",
                       str(DATA / "robot.toml"))
    assert code == 0
    assert "transcript: go forward ten meters" in out
    assert "intent: move (direction=forward, number=10)" in out


def test_recognize_free_form_fallback_fills_an_open_slot(capsys, tmp_path, speak_wav,
                                                       korean_free_form):
    """ko_memo.toml's note takes any words, which no grammar lists: speech that is none of
    its phrases is decoded free-form and that text, matched whole by the template, is the
    intent (the grammar alone made it "아니 아니 올려", no phrase, so no intent)."""
    wav = speak_wav("창문 열어", tmp_path / "note.wav", voice="ko")
    words = korean_free_form(wav)
    code, out, _ = run(capsys, "recognize", str(wav), "--lang", "ko", "--intents",
                       str(DATA / "ko_memo.toml"), "--json", "--noise-frontend", "off")
    assert code == 0 and words
    assert json.loads(out) == {"transcript": words,
                               "intent": {"name": "note", "slots": {"note": words}},
                               "speech": True, "guess": "", "engine": "vosk",
                               "language": "ko"}


def test_recognize_silence_has_no_intent(capsys, tmp_path):
    import wave

    path = tmp_path / "quiet.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(bytes(32000))
    code, out, _ = run(capsys, "recognize", str(path), "--json")
    assert code == 0 and json.loads(out)["intent"] is None


def test_recognize_tells_speech_it_rejected_from_nothing_heard(capsys, tmp_path, speak_wav):
    import numpy as np
    import soundfile

    clicks = np.random.default_rng(0).normal(0, 100, 48000)
    for i in range(30):  # 10 clicks a second: was "pause"
        clicks[i * 1600 + 800:][:20] += 20000 * np.hanning(20)
    soundfile.write(tmp_path / "clicks.wav", clicks.astype(np.int16), 16000)
    code, out, _ = run(capsys, "recognize", str(tmp_path / "clicks.wav"))
    assert code == 0 and "transcript: (nothing heard)" in out and "intent: none" in out
    chatter = speak_wav("the copy machine is broken again", tmp_path / "chatter.wav")
    code, out, _ = run(capsys, "recognize", str(chatter), "--noise-frontend", "on")
    assert "transcript: (speech heard, but not a command I know)" in out
    code, out, _ = run(capsys, "recognize", str(chatter), "--json", "--noise-frontend", "off")
    assert json.loads(out)["speech"] is True and json.loads(out)["intent"] is None


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "not an audio file"), (b"ID3 mp3 data here", "not an audio file")])
def test_recognize_bad_file(capsys, tmp_path, content, expected):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    code, _, err = run(capsys, "recognize", str(path))
    assert code == 2 and str(path) in err and expected in err


@pytest.mark.parametrize(("content", "expected"), [
    ('[intents.open_doors]\ntemplate = "open the doors"\n',
     "depot.toml:2: intents.open_doors.templates: Field required"),
    ('examples = ["close the doors"]\n[intents.open_doors]\ntemplates = ["open the doors"]\n',
     "depot.toml:2: examples: these examples match no template: ['close the doors']"),
    ('examples = "open the doors"\n[intents.open_doors]\ntemplates = ["open the doors"]\n',
     "depot.toml:2: examples: Input should be a valid list"),
])
def test_recognize_bad_template_file(capsys, tmp_path, content, expected):
    bad = tmp_path / "depot.toml"
    bad.write_text('language = "en"\n' + content)
    code, _, err = run(capsys, "recognize", str(GOFORWARD), "--intents", str(bad))
    assert code == 2 and "depot.toml" in err and expected in err


def test_models_lists_languages(capsys, monkeypatch, tmp_path):
    bad = tmp_path / "vosk-model-small-fr-0.22"
    (bad / "conf").mkdir(parents=True)
    monkeypatch.setenv(models.ENV_VAR, str(bad))
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert "ko: usable (Vosk)" in out
    assert "en: usable (PocketSphinx" in out
    assert "fr: no model (volant voice models download fr)" in out
    assert f"{bad}  [${models.ENV_VAR}]  NOT USABLE, missing am/final.mdl" in out


# --- download --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def model_site(tmp_path_factory, korean_model_path):
    """http://127.0.0.1:PORT/ with model-list.json and vosk-model-small-en-us-0.15.zip."""
    root = tmp_path_factory.mktemp("site")
    name = models.OFFICIAL["en"]
    archive = root / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(korean_model_path.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path.name in ("HCLr.fst", "Gr.fst"):
                    data = data[:65536]
                zf.writestr(f"{name}/{path.relative_to(korean_model_path)}", data)
    payload = archive.read_bytes()
    listing = [{"name": name, "lang": "en-us", "size": len(payload),
                "md5": hashlib.md5(payload).hexdigest()}]
    (root / "model-list.json").write_text(json.dumps(listing))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *_a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_download_installs_atomically_with_progress(model_site, tmp_path):
    _root, site = model_site
    seen: list[tuple[int, int]] = []
    path = models.download("en", tmp_path, site=site, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "vosk" / models.OFFICIAL["en"]
    assert models.missing_parts(path) == []
    assert seen[-1][0] == seen[-1][1] and len(seen) > 1
    assert [p.name for p in (tmp_path / "vosk").iterdir()] == [path.name]  # no leftovers
    found = models.best_model("en", tmp_path)
    assert found is not None and found.source == "user data"


def test_download_cli_prints_progress(capsys, model_site):
    _root, site = model_site
    code, _, err = run(capsys, "models", "download", "en", "--site", site)
    assert code == 0 and "MB" in err and "installed" in err


def test_download_with_wrong_checksum_installs_nothing(model_site, tmp_path):
    root, site = model_site
    listing = json.loads((root / "model-list.json").read_text())
    listing[0]["md5"] = "0" * 32
    (root / "bad").mkdir(exist_ok=True)
    (root / "bad" / "model-list.json").write_text(json.dumps(listing))
    (root / "bad" / f"{models.OFFICIAL['en']}.zip").write_bytes(
        (root / f"{models.OFFICIAL['en']}.zip").read_bytes())
    with pytest.raises(models.ModelError, match=r"MD5 \w+ does not match"):
        models.download("en", tmp_path, site=f"{site}bad/")
    assert list((tmp_path / "vosk").iterdir()) == []


def test_download_unreachable_site_is_clear(tmp_path):
    with pytest.raises(models.ModelError, match=r"cannot read the model list http://127\.0\.0\.1:9/"):
        models.download("en", tmp_path, site="http://127.0.0.1:9/")
    with pytest.raises(models.ModelError, match="no official model to download for 'ko'"):
        models.download("ko", tmp_path)


def test_mandarin_model_is_known_by_its_country_name(tmp_path: Path) -> None:
    """Vosk names its Mandarin models "cn"; the manager files them under the UI's "zh"."""
    assert models.OFFICIAL["zh"] == "vosk-model-small-cn-0.22"
    half = models.models_dir(tmp_path) / "vosk-model-small-cn-0.22"
    (half / "am").mkdir(parents=True)
    [info] = [found for found in models.find_models(tmp_path) if found.path == half]
    assert (info.language, info.usable) == ("zh", False)
    assert models.best_model("zh", tmp_path) is None  # typed commands, and the reason says so
