"""The tool's side of LTI 1.3 as pylti1p3 asks for it: the registered platforms read from the database
(`DatabaseToolConf`), and the tool's own RSA keys, made when first needed and published as a key set."""
from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.lti.models import LtiDeployment, LtiKey, LtiPlatform


def new_key() -> LtiKey:
    """A fresh 2048-bit RSA key pair; its key id is the public key's thumbprint (RFC 7638)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return LtiKey(kid=public_jwk(public_pem)["kid"], private_pem=private_pem, public_pem=public_pem)


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The public key as a JWK with its key id, algorithm and use, as platforms expect it in the key set."""
    key = JWK.from_pem(public_pem.encode())
    jwk = json.loads(key.export_public())
    jwk.setdefault("kid", key.thumbprint())
    jwk.update(alg="RS256", use="sig")
    return jwk


def signing_key() -> LtiKey:
    """The newest active key, the one that signs; the first call on a new installation makes one."""
    key = db.session.scalar(select(LtiKey).where(LtiKey.active).order_by(LtiKey.id.desc()).limit(1))
    if key is not None:
        return key
    key = new_key()
    try:
        with db.session.begin_nested():
            db.session.add(key)
    except IntegrityError:  # pragma: no cover - two first requests at once: one key is kept
        pass
    return db.session.scalar(select(LtiKey).where(LtiKey.active).order_by(LtiKey.id.desc()).limit(1)) or key


def key_set() -> dict[str, list[dict[str, Any]]]:
    """Every active key, newest first: what /lti/jwks publishes."""
    signing_key()
    keys = db.session.scalars(select(LtiKey).where(LtiKey.active).order_by(LtiKey.id.desc())).all()
    return {"keys": [public_jwk(key.public_pem) for key in keys]}


def registration_for(platform: LtiPlatform) -> Registration:
    key = signing_key()
    registration = Registration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    registration.set_key_set_url(platform.key_set_url)
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    registration.set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem)
    return registration


class DatabaseToolConf(ToolConfAbstract):
    """The platforms registered in the admin pages (or by dynamic registration). An issuer may have several client
    ids (two Canvas developer keys, say); a platform that is switched off is not found."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    @staticmethod
    def platform(iss: str, client_id: str | None) -> LtiPlatform | None:
        query = select(LtiPlatform).where(LtiPlatform.issuer == iss, LtiPlatform.active)
        if client_id is not None:
            query = query.where(LtiPlatform.client_id == client_id)
        platforms = db.session.scalars(query.limit(2)).all()
        return platforms[0] if len(platforms) == 1 else None

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration:
        platform = self.platform(iss, None)
        return registration_for(platform) if platform else None  # type: ignore[return-value]

    def find_registration_by_params(self, iss: str, client_id: str, *args, **kwargs) -> Registration:
        platform = self.platform(iss, client_id)
        return registration_for(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)  # type: ignore[arg-type]

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args,
                                  **kwargs) -> Deployment | None:
        platform = self.platform(iss, client_id)
        if platform is None:
            return None
        found = db.session.scalar(select(LtiDeployment.id).where(LtiDeployment.platform_id == platform.id,
                                                                  LtiDeployment.deployment_id == deployment_id))
        return Deployment().set_deployment_id(deployment_id) if found else None

    def get_jwks(self, iss: str | None = None, client_id: str | None = None, **kwargs):
        return key_set()
