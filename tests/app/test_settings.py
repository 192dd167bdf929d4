"""Settings persist in TOML behind one schema; a broken file is moved aside (under a unique name)
and replaced by defaults, a save that cannot happen is reported, never raised."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kernel import topics
from kernel.event_bus import EventBus
from kernel.settings import (
    VEHICLE_PRESETS,
    Settings,
    SettingsError,
    SettingsStore,
    move_aside,
    parse,
    settings_path,
    write_atomically,
)

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_when_no_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    assert store.load() == Settings()
    assert store.problem == ""


def test_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    settings = Settings(language="fr", favourites={"home": "60.17,24.94"}, volume=35,
                        driving_side="left", music_dirs=["/srv/music"],
                        vosk_models={"fr": "/opt/vosk-fr"})
    assert store.save(settings)
    assert SettingsStore(store.path).load() == settings
    assert not list(tmp_path.glob(".*.tmp"))  # the temp file became the file


def test_default_path_is_under_the_user_config_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert settings_path() == tmp_path / "volant" / "settings.toml"


def test_the_preset_choices_are_the_presets_file_tables() -> None:
    presets = tomllib.loads((ROOT / "vehicle" / "presets.toml").read_text(encoding="utf-8"))
    assert set(VEHICLE_PRESETS) == set(presets)


@pytest.mark.parametrize("text, complaint", [
    ("language = 'fr\n", "not valid TOML: "),
    ("volume = 60\nvolume = 70\n", "line 2: not valid TOML"),  # the TOML error's line
    ("language = 'de'\n", "line 1, language: input should be 'en', 'fr', 'ko' or 'zh'"),
    ("language = '../../../../tmp/x'\n", "language: input should be 'en', 'fr', 'ko' or 'zh'"),
    ("language = 1979-05-27\n", "language: input should be"),
    ("volume = 400\n", "volume: input should be less than or equal to 100, got 400"),
    ("duck_level = -1\n", "duck_level: input should be greater than or equal to 0"),
    ("volume = 'loud'\n", "volume: input should be a valid integer, got 'loud'"),
    ("volume = 60.5\n", "volume: input should be a valid integer"),
    ("volume = true\n", "volume: input should be a valid integer"),
    ("volume = nan\n", "volume: input should be a valid integer"),
    ("units = 'furlongs'\n", "units: input should be 'metric' or 'imperial'"),
    ("profile = 'truck'\n", "profile: input should be 'car' or 'bus'"),
    ("day_night = 'dusk'\n", "day_night: input should be 'auto', 'day' or 'night'"),
    ("driving_side = 'middle'\n", "driving_side: input should be 'auto', 'left' or 'right'"),
    ("vehicle_preset = 'rocket'\n", "vehicle_preset: input should be 'city_car' or 'bus_12m'"),
    ("wake_phrase = 'no'\n", "wake_phrase: input should be a valid boolean, got 'no'"),
    ("music_dirs = [1, 2]\n", "music_dirs[0]: input should be a valid string, got 1"),
    ("music_dirs = ['/m', '']\n", "music_dirs[1]: string should have at least 1 character"),
    ("music_dirs = '~/Music'\n", "music_dirs: input should be a valid list"),
    ("[favourites]\nhome = 1\n", "line 1, favourites.home: input should be a valid string"),
    ("[favourites]\nwork = ['a']\n", "favourites.work: input should be a valid string"),
    ("favourites = ['home']\n", "favourites: input should be a valid dictionary"),
    ("[vosk_models]\nde = '/m'\n",
     "vosk_models.de.[key]: input should be 'en', 'fr', 'ko' or 'zh'"),
    ("[vosk_models]\nfr = 3\n", "vosk_models.fr: input should be a valid string"),
    ('map_file = "a\\u0000b"\n', "map_file: a path cannot contain a NUL"),
    ("voice_intents = 3\n", "voice_intents: input should be a valid string"),
    ("colour = 'red'\n", "line 1, colour: unknown setting"),
    ("volume = 50\n[fleet]\nbroker = 'x'\n", "line 2, fleet: unknown setting"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "not valid TOML"),
])
def test_broken_file_is_moved_aside_and_defaults_used(tmp_path: Path, text: str,
                                                      complaint: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert complaint in store.problem and str(path) in store.problem
    backups = list(tmp_path.glob("settings.toml.broken-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == text
    assert backups[0].name in store.problem
    assert SettingsStore(path).load() == Settings()  # defaults were written back


def test_toml_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("units = 'metric'\n\nvolume = [\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings.toml line 3: not valid TOML: Invalid value"):
        parse(path)


def test_non_utf8_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"units = 'metric'\nlanguage = '\xff\xfe'\n")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert "line 2: not UTF-8 text" in store.problem
    assert len(list(tmp_path.glob("settings.toml.broken-*"))) == 1


def test_a_folder_where_the_file_should_be_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    (path / "inside").mkdir(parents=True)
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert "is a folder, expected a settings file" in store.problem
    [backup] = tmp_path.glob("settings.toml.broken-*")
    assert (backup / "inside").is_dir()
    assert path.is_file() and SettingsStore(path).load() == Settings()


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert "larger than 1000000 bytes" in store.problem


def test_two_broken_files_in_the_same_second_keep_both_backups(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    for text in ("volume = 'first'\n", "volume = 'second'\n", "volume = 'third'\n"):
        path.write_text(text, encoding="utf-8")
        SettingsStore(path).load()
    kept = sorted(p.read_text(encoding="utf-8") for p in tmp_path.glob("settings.toml.broken-*"))
    assert kept == ["volume = 'first'\n", "volume = 'second'\n", "volume = 'third'\n"]


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    names = set()
    for n in range(5):
        path = tmp_path / "player.json"
        path.write_text(str(n))
        names.add(move_aside(path).name)
    assert len(names) == 5 and not (tmp_path / "player.json").exists()


def test_a_file_that_cannot_be_moved_aside_is_left_alone_and_defaults_used() -> None:
    """/proc/self/status is readable text that is not TOML, in a folder no one can write."""
    path = Path("/proc/self/status")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert "not valid TOML" in store.problem and "could not move it aside" in store.problem
    assert path.read_text().startswith("Name:")


def test_unreadable_file_is_moved_aside(tmp_path: Path) -> None:
    """Root reads any file, so under root the load runs in a child process as `nobody`."""
    folder = Path(tempfile.mkdtemp(prefix="volant-settings-"))
    try:
        os.chmod(folder, 0o777)
        path = folder / "settings.toml"
        path.write_text("volume = 30\n", encoding="utf-8")
        os.chmod(path, 0o000)
        drop = ""
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            drop = f"os.setgid({nobody.pw_gid}); os.setuid({nobody.pw_uid}); "
        code = ("import os, sys; from pathlib import Path; from kernel.settings import "
                "SettingsStore, Settings; " + drop +
                "s = SettingsStore(Path(sys.argv[1])); assert s.load() == Settings(); "
                "print(s.problem)")
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        assert f"cannot read {path}: Permission denied" in out.stdout
        [backup] = folder.glob("settings.toml.broken-*")
        os.chmod(backup, 0o644)
        assert backup.read_text(encoding="utf-8") == "volume = 30\n"
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def test_a_read_only_file_is_not_saved_and_the_reason_given(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("volume = 30\n", encoding="utf-8")
    path.chmod(0o444)
    store = SettingsStore(path)
    settings = store.load()
    assert settings.volume == 30 and store.problem == ""
    settings.volume = 80
    assert store.save(settings) is False
    assert store.problem == f"settings file {path} is read-only: the change was not saved"
    assert path.read_text(encoding="utf-8") == "volume = 30\n"


def test_a_folder_that_cannot_be_written_is_reported() -> None:
    store = SettingsStore(Path("/proc/volant/settings.toml"))
    assert store.save(Settings()) is False
    assert store.problem.startswith("cannot save settings file /proc/volant/settings.toml (")


def test_assign_refuses_a_bad_value_and_keeps_the_old_one() -> None:
    settings = Settings()
    assert settings.assign("language", "../../x") == [
        "language: input should be 'en', 'fr', 'ko' or 'zh', got '../../x'"]
    assert settings.assign("volume", 101)[0].startswith("volume: input should be less than")
    assert (settings.language, settings.volume) == ("en", 60)
    assert settings.assign("language", "ko") == [] and settings.language == "ko"
    settings.music_dirs.append(3)  # changed in place, past the schema: validate() sees it
    assert settings.validate() == ["music_dirs[0]: input should be a valid string, got 3"]


def test_write_atomically_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.json"
    write_atomically(path, b"one")
    write_atomically(path, b"two")
    assert path.read_bytes() == b"two" and os.listdir(path.parent) == ["state.json"]


def test_settings_screen_tells_the_driver_when_a_change_cannot_be_saved(qapp,
                                                                      tmp_path: Path) -> None:
    from ui.viewmodels.settings import SettingsViewModel

    path = tmp_path / "settings.toml"
    path.write_text("units = 'metric'\n", encoding="utf-8")
    path.chmod(0o444)
    bus = EventBus()
    notices: list[topics.Notice] = []
    bus.subscribe(topics.UI_NOTICE, lambda m: notices.append(m.payload))
    store = SettingsStore(path)
    model = SettingsViewModel(bus, store, store.load())
    model.setUnits("imperial")
    model.setLanguage("../../../../tmp/x")
    bus.close()
    assert model.property("units") == "imperial"  # holds for this session
    assert model.property("language") == "en"
    assert [n.level for n in notices] == ["error", "error"]
    assert "read-only: the change was not saved" in notices[0].text
    assert notices[1].text.startswith("language: input should be 'en', 'fr', 'ko' or 'zh'")
    assert path.read_text(encoding="utf-8") == "units = 'metric'\n"


KILL_ROUNDS = 12
WRITER = """
import itertools, sys
from pathlib import Path
from kernel.settings import Settings, SettingsStore
store = SettingsStore(Path(sys.argv[1]))
places = {f"place {i}": f"{i}.25,{i}.75" for i in range(1000)}  # a 30 KB file
store.save(Settings(favourites=places))
print("writing", flush=True)
for n in itertools.count():
    store.save(Settings(volume=n % 101, favourites=places))
"""


def test_kill_9_while_saving_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    """A writer process saves in a loop and is killed at a random moment, twelve times; each
    next start loads a whole file, never a part."""
    import random
    import signal
    import time

    rng = random.Random(9)
    path = tmp_path / "settings.toml"
    places = {f"place {i}": f"{i}.25,{i}.75" for i in range(1000)}
    for _ in range(KILL_ROUNDS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        store = SettingsStore(path)
        settings = store.load()
        assert store.problem == ""
        assert settings.favourites == places
        assert set(os.listdir(tmp_path)) <= {"settings.toml", ".settings.toml.tmp"}


# -- property tests: whatever a settings file holds, the door returns Settings or names why ----

FIELDS = tuple(Settings.model_fields)
FUZZ = hsettings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
scalars = (st.integers() | st.floats() | st.text(max_size=30) | st.booleans() | st.dates()
           | st.datetimes() | st.times())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
keys = st.sampled_from(FIELDS) | st.text(max_size=12)


def load_text(content: bytes) -> tuple[Settings, str, Path]:
    """Load `content` as a settings file in a fresh folder; the settings, problem and folder."""
    folder = Path(tempfile.mkdtemp(prefix="volant-fuzz-"))
    (folder / "settings.toml").write_bytes(content)
    store = SettingsStore(folder / "settings.toml")
    return store.load(), store.problem, folder


def assert_refused_and_moved_aside(problem: str, folder: Path) -> None:
    assert problem.startswith(f"settings file {folder / 'settings.toml'} is invalid (")
    assert len(list(folder.glob("settings.toml.broken-*"))) == 1


@FUZZ
@given(st.dictionaries(keys, values, max_size=6))
def test_any_toml_document_gives_settings_or_a_named_field(data: dict) -> None:
    loaded, problem, folder = load_text(tomli_w.dumps(data).encode("utf-8"))
    try:
        assert isinstance(loaded, Settings) and loaded.validate() == []
        if problem:
            assert_refused_and_moved_aside(problem, folder)
            assert loaded == Settings()
            assert any(f"{key}:" in problem or f"{key}." in problem or f"{key}[" in problem
                       for key in data), problem  # the field at fault is named
        else:
            assert loaded == Settings.model_validate(data)
    finally:
        shutil.rmtree(folder)


@FUZZ
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_text_gives_settings_or_a_reason(text: str) -> None:
    loaded, problem, folder = load_text(text.encode("utf-8", "surrogatepass"))
    try:
        assert isinstance(loaded, Settings)
        assert problem == "" or problem.startswith(f"settings file {folder / 'settings.toml'}")
    finally:
        shutil.rmtree(folder)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_give_settings_or_a_reason(content: bytes) -> None:
    loaded, problem, folder = load_text(content)
    try:
        assert isinstance(loaded, Settings)
        assert problem == "" or problem.startswith(f"settings file {folder / 'settings.toml'}")
    finally:
        shutil.rmtree(folder)


# Any path a TOML file can hold: no NUL, no lone surrogate (no UTF-8 form).
paths = st.text(st.characters(exclude_characters="\0", exclude_categories=("Cs",)),
                min_size=1, max_size=40)
valid = st.fixed_dictionaries({}, optional={
    "language": st.sampled_from(["en", "fr", "ko"]),
    "units": st.sampled_from(["metric", "imperial"]),
    "vehicle_preset": st.sampled_from(VEHICLE_PRESETS),
    "voice_enabled": st.booleans(),
    "volume": st.integers(0, 100),
    "duck_level": st.integers(0, 100),
    "map_file": paths | st.just(""),
    "music_dirs": st.lists(paths, max_size=5),
    "favourites": st.dictionaries(st.text(min_size=1, max_size=100),
                                  st.text(min_size=1, max_size=200), max_size=5),
    "vosk_models": st.dictionaries(st.sampled_from(["en", "fr", "ko"]), paths),
})


@FUZZ
@given(valid)
def test_every_valid_document_is_accepted_and_round_trips(data: dict) -> None:
    loaded, problem, folder = load_text(tomli_w.dumps(data).encode("utf-8"))
    try:
        assert problem == "" and loaded == Settings(**data)
        store = SettingsStore(folder / "again.toml")
        assert store.save(loaded) and store.load() == loaded
    finally:
        shutil.rmtree(folder)
