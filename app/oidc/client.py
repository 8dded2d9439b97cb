"""The OpenID Connect client (Authlib's Flask client): authorization code flow with PKCE (S256) and a nonce, the
provider's endpoints read from its discovery document. Built from the settings when first needed, and again when
they change."""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import current_app

EXTENSION = "careplan.oidc_client"


def provider_client():
    config = current_app.config
    key = (config["FEIDE_CLIENT_ID"], config["FEIDE_CLIENT_SECRET"], config["OIDC_DISCOVERY_URL"],
           config["FEIDE_SCOPES"], config["FEIDE_TIMEOUT"])
    cached = current_app.extensions.get(EXTENSION)
    if cached is not None and cached[0] == key:
        return cached[1]
    oauth = OAuth()
    oauth.init_app(current_app)
    client = oauth.register(
        "provider",
        client_id=config["FEIDE_CLIENT_ID"],
        client_secret=config["FEIDE_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_DISCOVERY_URL"],
        client_kwargs={"scope": config["FEIDE_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": config["FEIDE_TIMEOUT"]},
    )
    current_app.extensions[EXTENSION] = (key, client)
    return client
