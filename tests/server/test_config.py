"""The server configuration: defaults, TOML file, CLOUDPARK_* variables, flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, ServerConfig, load_config


def test_defaults_work_with_zero_setup() -> None:
    cfg = load_config(env={})
    assert cfg == ServerConfig()
    assert cfg.tick_rate == 20 and cfg.port == 8766 and cfg.web_port == 8765
    assert cfg.db_path == Path("var") / "cloudpark.sqlite3"


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    f = tmp_path / "cp.toml"
    f.write_text('[server]\nport = 9000\ntick_rate = 30\nview_radius = 25\ndata_dir = "/srv/cp"\n')
    cfg = load_config(f, env={"CLOUDPARK_PORT": "9100", "CLOUDPARK_VIEW_RADIUS": "30.5"},
                      overrides={"port": 9200, "host": None})
    assert cfg.port == 9200  # flag beats env beats file
    assert cfg.view_radius == 30.5  # env beats file
    assert cfg.tick_rate == 30  # file beats default
    assert cfg.data_dir == Path("/srv/cp")
    assert cfg.host == "127.0.0.1"  # a flag left out (None) changes nothing


def test_unrelated_environment_is_ignored() -> None:
    assert load_config(env={"CLOUDPARK_NOT_A_SETTING": "x", "PORT": "1"}) == ServerConfig()


@pytest.mark.parametrize(("env", "needle"), [
    ({"CLOUDPARK_PORT": "eighty"}, "port"),
    ({"CLOUDPARK_TICK_RATE": "0"}, "tick_rate"),
    ({"CLOUDPARK_BUILD_SCENES": "maybe"}, "build_scenes"),
    ({"CLOUDPARK_PATCH_RATE": "40"}, "patch_rate"),
    ({"CLOUDPARK_SCRYPT_N": "1000"}, "scrypt_n"),
])
def test_bad_values_name_the_setting(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_config(env=env)


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "cp.toml"
    f.write_text("tick_rat = 30\n")
    with pytest.raises(ConfigError, match="tick_rat"):
        load_config(f, env={})


def test_broken_file_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "cp.toml"
    f.write_text("port = = 1\n")
    with pytest.raises(ConfigError, match="cp.toml"):
        load_config(f, env={})


def test_snapshot_mode_is_checked() -> None:
    from server.config import ConfigError, ServerConfig

    assert ServerConfig(snapshot_mode="naive").check().snapshot_mode == "naive"
    with pytest.raises(ConfigError, match="snapshot_mode must be one of aoi, naive"):
        ServerConfig(snapshot_mode="fast").check()
