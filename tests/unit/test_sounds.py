from pathlib import Path

import pytest

from ehd.audio.prompts import SoundLibrary
from ehd.errors import NotFoundError


def _make(folder: Path, language: str, name: str) -> Path:
    path = folder / language / f"{name}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF")
    return path


def test_language_then_english_fallback(tmp_path: Path) -> None:
    _make(tmp_path, "en", "welcome")
    _make(tmp_path, "sv", "closed")
    library = SoundLibrary(tmp_path)
    assert library.path("closed", "sv") == tmp_path / "sv" / "closed.wav"
    assert library.path("welcome", "sv") == tmp_path / "en" / "welcome.wav"
    assert library.media("welcome", "en") == f"sound:{tmp_path / 'en' / 'welcome'}"


def test_uploaded_sounds_win_over_standard_prompts(tmp_path: Path) -> None:
    uploaded, standard = tmp_path / "up", tmp_path / "std"
    _make(standard, "en", "welcome")
    mine = _make(uploaded, "en", "welcome")
    assert SoundLibrary(uploaded, standard).path("welcome", "en") == mine


@pytest.mark.parametrize(
    ("name", "language"),
    [("../../etc/passwd", "en"), ("welcome", "../x"), ("", "en"), ("Welcome!", "en")],
)
def test_invalid_names_are_refused(tmp_path: Path, name: str, language: str) -> None:
    with pytest.raises(NotFoundError):
        SoundLibrary(tmp_path).path(name, language)


def test_missing_sound_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nothing"):
        SoundLibrary(tmp_path).path("nothing", "en")
