"""C16-C19, C21: secrets sealed at rest, bound to their row, rotatable, and kept out of logs and pages."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import create_app
from portal.db import engine_of
from portal.models import Role, User
from portal.services import twofactor
from portal.settings import ConfigError
from portal.vault import Binding, Secret, Vault, VaultError, _b64e, generate_key, key_id_of
from tests.conftest import base_config, build_app, make_key_ring


def vault_with(*ids: str) -> Vault:
    return Vault({k: generate_key() for k in ids}, ids[-1])


B = Binding("member_credential", 7, "secret")


@given(st.text(max_size=500))
def test_seal_open_round_trip(value):
    vault = vault_with("k1")
    assert vault.open(vault.seal(value, B), B).reveal() == value


def test_same_value_seals_differently_with_version_and_key_id():
    vault = vault_with("k1")
    one, two = vault.seal("hunter2", B), vault.seal("hunter2", B)
    assert one != two
    assert one.startswith("v1.k1.") and key_id_of(one) == "k1"


def test_flipped_byte_fails_never_garbage():
    vault = vault_with("k1")
    blob = vault.seal("hunter2", B)
    body = bytearray(blob.encode())
    body[-3] = ord("A") if body[-3] != ord("A") else ord("B")
    with pytest.raises(VaultError, match="does not decrypt"):
        vault.open(body.decode(), B)


@pytest.mark.parametrize("other", [Binding("member_credential", 8, "secret"), Binding("member_credential", 7, "other"),
                                   Binding("user_account", 7, "secret")])
def test_value_copied_to_another_row_or_field_fails(other):
    vault = vault_with("k1")
    with pytest.raises(VaultError):
        vault.open(vault.seal("hunter2", B), other)


def test_old_keys_open_and_new_values_use_the_primary():
    keys = {"k1": generate_key(), "k2": generate_key()}
    old = Vault(keys, "k1").seal("hunter2", B)
    ring = Vault(keys, "k2")
    assert ring.open(old, B).reveal() == "hunter2"
    assert key_id_of(ring.seal("x", B)) == "k2"
    assert ring.needs_rotation(old)


def test_secret_wrapper_hides_itself():
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret) and "hunter2" not in f"{secret}"
    assert secret.reveal() == "hunter2"


def test_no_plaintext_totp_seed_in_the_raw_database(app, session, make, backend, database_url):
    user = make.user(session, Role.agent)
    seed = twofactor.begin_enrolment(session, user, vault=app.extensions["portal.vault"])
    if backend == "sqlite":
        engine_of(app).dispose()  # checkpoint the WAL into the file as well
        raw = b"".join(Path(p).read_bytes() for p in Path(database_url[10:]).parent.glob("portal.db*"))
    else:
        import subprocess

        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        dump = subprocess.run(["pg_dump", "-h", url.host or "127.0.0.1", "-U", url.username or "postgres",
                               url.database], capture_output=True, check=True)
        raw = dump.stdout
    assert seed.encode() not in raw
    assert user.totp_secret.encode() in raw  # the sealed form is what is stored


def _cli(app, *args, check=True):
    result = app.test_cli_runner().invoke(args=list(args))
    if check:
        assert result.exit_code == 0, result.output
    return result


def test_rotate_then_doctor_after_the_old_key_is_gone(app_config, session, make):
    k1 = generate_key()
    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k1", "keys": {"k1": _b64e(k1)}})
    first = build_app(app_config)
    users = [make.user(session, Role.agent) for _ in range(5)]
    for user in users:
        twofactor.begin_enrolment(session, user, vault=first.extensions["portal.vault"])
    engine_of(first).dispose()

    k2 = generate_key()
    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k2", "keys": {"k1": _b64e(k1), "k2": _b64e(k2)}})
    second = build_app(app_config)
    result = _cli(second, "secrets", "rotate", "--batch", "2")
    assert result.exit_code == 0 and "Re-sealed 5 values under key k2" in result.output
    again = _cli(second, "secrets", "rotate")
    assert "Re-sealed 0 values" in again.output  # idempotent
    engine_of(second).dispose()

    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k2", "keys": {"k2": _b64e(k2)}})
    third = build_app(app_config)
    doctor = _cli(third, "secrets", "doctor")
    assert doctor.exit_code == 0 and "5 sealed values; 5 decrypt (k2: 5); 0 fail" in doctor.output
    session.expire_all()
    for user in session.exec(__import__("sqlmodel").select(User)).all():
        assert key_id_of(user.totp_secret) == "k2"
    engine_of(third).dispose()


def test_doctor_reports_a_value_moved_between_rows(app, session, make):
    a, b = make.user(session, Role.agent), make.user(session, Role.agent)
    vault = app.extensions["portal.vault"]
    twofactor.begin_enrolment(session, a, vault=vault)
    b.totp_secret = a.totp_secret  # an attacker with database access copies a's secret to b
    session.add(b)
    session.commit()
    result = _cli(app, "secrets", "doctor", check=False)
    assert result.exit_code == 1
    assert f"user_account#{b.id}.totp_secret" in result.output


def test_moved_totp_seed_does_not_sign_in(app, session, make):
    a, b = make.user(session, Role.agent), make.user(session, Role.agent)
    vault = app.extensions["portal.vault"]
    secret = twofactor.begin_enrolment(session, a, vault=vault)
    b.totp_secret, b.totp_enabled = a.totp_secret, True
    session.add(b)
    session.commit()
    with pytest.raises(VaultError):
        twofactor.verify(session, b, vault=vault, code=pyotp.TOTP(secret).now(), now=__import__("portal").models.types.utcnow(), ip="")


def test_retire_key_refuses_while_values_use_it(app_config, session, make, tmp_path):
    ring = tmp_path / "ring.json"
    from portal.vault import write_key_ring

    k1 = generate_key()
    write_key_ring(ring, {"k1": k1}, "k1")
    app_config.pop("ENCRYPTION_KEYS")
    app_config["ENCRYPTION_KEY_FILE"] = str(ring)
    app = build_app(app_config)
    twofactor.begin_enrolment(session, make.user(session, Role.agent), vault=app.extensions["portal.vault"])
    added = _cli(app, "secrets", "add-key")
    assert added.exit_code == 0 and "as primary" in added.output
    assert os.stat(ring).st_mode & 0o777 == 0o600
    refused = _cli(app, "secrets", "retire-key", "k1", check=False)
    assert refused.exit_code == 1 and "still sealed with k1" in refused.output
    engine_of(app).dispose()
    rotated_app = build_app(app_config)
    assert _cli(rotated_app, "secrets", "rotate").exit_code == 0
    assert _cli(rotated_app, "secrets", "retire-key", "k1").exit_code == 0
    assert "k1" not in json.loads(ring.read_text())["keys"]
    engine_of(rotated_app).dispose()


# ----------------------------------------------------------------- key custody (C19)


def production_config(database_url, tmp_path, **overrides):
    config = base_config(database_url, tmp_path, ENV="production", BASE_URL="https://portal.example",
                         SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEYS=make_key_ring(),
                         PASSWORD_HASH_PROFILE="standard")
    config.update(overrides)
    return config


def test_production_starts_with_sound_keys(database_url, tmp_path):
    app = create_app(production_config(database_url, tmp_path))
    assert app.config["ENV"] == "production"
    engine_of(app).dispose()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"SECRET_KEY": ""}, "No secret key"),
    ({"SECRET_KEY": "dev"}, "development default"),
    ({"SECRET_KEY": "change-me-please-change-me-please-123456"}, "development default"),
    ({"ENCRYPTION_KEYS": ""}, "No encryption key ring"),
    ({"PASSWORD_HASH_PROFILE": "fast"}, "must be `standard`"),
    ({"BASE_URL": "http://portal.example"}, "https://"),
])
def test_production_refuses_unsafe_keys(database_url, tmp_path, overrides, message):
    config = production_config(database_url, tmp_path, **overrides)
    config["SECRET_KEY_FILE"] = str(tmp_path / "missing-secret")
    config["ENCRYPTION_KEY_FILE"] = str(tmp_path / "missing-ring.json")
    with pytest.raises(ConfigError, match=message):
        create_app(config)


def test_production_refuses_key_files_readable_by_others(database_url, tmp_path):
    ring = tmp_path / "ring.json"
    from portal.vault import write_key_ring

    write_key_ring(ring, {"k1": generate_key()}, "k1")
    os.chmod(ring, 0o644)
    config = production_config(database_url, tmp_path, ENCRYPTION_KEYS="", ENCRYPTION_KEY_FILE=str(ring))
    with pytest.raises(ConfigError, match="chmod 600"):
        create_app(config)


def test_production_refuses_encryption_key_equal_to_secret_key(database_url, tmp_path):
    key = generate_key()
    encoded = _b64e(key)
    config = production_config(database_url, tmp_path, SECRET_KEY=encoded,
                               ENCRYPTION_KEYS=json.dumps({"primary": "k1", "keys": {"k1": encoded}}))
    with pytest.raises(ConfigError, match="equals the secret key"):
        create_app(config)


def test_wsgi_entry_prints_the_problem_and_exits(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "PORTAL_ENV": "production", "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_BASE_URL": "https://x.example"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 78
    assert "Refusing to start in production" in result.stderr and "keys init" in result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------- secrets stay out of logs (C21)


def test_secrets_never_reach_logs_or_pages(app, client, session, make, caplog, login_as):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "portal", "werkzeug", "sqlalchemy.engine"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    user = make.user(session, Role.agent)
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    secret = twofactor.begin_enrolment(session, user, vault=app.extensions["portal.vault"])
    client.post("/account/password", data={"current_password": "correct horse battery",
                                           "password": "a totally new passphrase", "confirm": "a totally new passphrase"})
    logging.getLogger("portal.test").info("Authorization: Basic c2VjcmV0OnNlY3JldA== password=hunter2")
    logs = caplog.text
    for needle in ("correct horse battery", "a totally new passphrase", secret, "c2VjcmV0OnNlY3JldA==", "hunter2"):
        assert needle not in logs
    assert "portal_session" not in logs
    assert "hunter2" not in repr(Secret("hunter2"))
    assert "totp_secret" not in repr(user)
