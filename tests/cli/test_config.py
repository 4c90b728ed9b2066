"""Settings from INFOHARBOR_* variables: parsed, typed, and refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoharbor import config


def test_defaults_parse_to_typed_values() -> None:
    values = config.load({})

    assert values["ENVIRONMENT"] == "development"
    assert values["EMAIL_PORT"] == 25
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert values["DATABASE_URL"] is None
    assert values["SECURE_COOKIES"] is None


def test_overrides_are_typed() -> None:
    values = config.load(
        {
            "INFOHARBOR_EMAIL_PORT": "587",
            "INFOHARBOR_DEBUG": "yes",
            "INFOHARBOR_ALLOWED_HOSTS": " harbor.example.org, , www.harbor.example.org ",
            "INFOHARBOR_ENVIRONMENT": "Production",
        }
    )

    assert values["EMAIL_PORT"] == 587
    assert values["DEBUG"] is True
    assert values["ALLOWED_HOSTS"] == ["harbor.example.org", "www.harbor.example.org"]
    assert values["ENVIRONMENT"] == "production"


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("EMAIL_PORT", "abc", "INFOHARBOR_EMAIL_PORT"),
        ("EMAIL_PORT", "-1", "positive whole number"),
        ("MAX_REQUEST_BYTES", "0", "positive whole number"),
        ("DEBUG", "maybe", "expected true or false"),
        ("ENVIRONMENT", "staging", "expected development, production or test"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, raw: str, expected: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load({f"INFOHARBOR_{name}": raw})

    message = str(caught.value)
    assert message.startswith(f"INFOHARBOR_{name}:")
    assert expected in message


def test_production_without_a_secret_key_says_how_to_fix_it(tmp_path: Path) -> None:
    values = config.load({"INFOHARBOR_ENVIRONMENT": "production"})

    with pytest.raises(config.ConfigError) as caught:
        config.secret_key(values, tmp_path)

    message = str(caught.value)
    assert "INFOHARBOR_SECRET_KEY is required in production" in message
    assert "secrets.token_urlsafe" in message
    assert not (tmp_path / "secret_key").exists()


def test_production_uses_the_given_secret_key(tmp_path: Path) -> None:
    values = config.load(
        {"INFOHARBOR_ENVIRONMENT": "production", "INFOHARBOR_SECRET_KEY": "k" * 50}
    )

    assert config.secret_key(values, tmp_path) == "k" * 50


def test_development_generates_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    values = config.load({})
    var_dir = tmp_path / "var"

    first = config.secret_key(values, var_dir)
    second = config.secret_key(values, var_dir)

    assert first == second
    assert len(first) >= 50
    assert (var_dir / "secret_key").stat().st_mode & 0o777 == 0o600


def test_every_setting_is_documented() -> None:
    reference = config.markdown_reference()

    for setting in config.DECLARATIONS:
        assert f"## `{setting.env_var}`" in reference
        assert setting.doc
