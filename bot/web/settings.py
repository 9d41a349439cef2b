"""Web app settings, read from the environment (``bot/cli.py`` fills the defaults).

``NEGO_ENV`` tells a developer's machine from a school's server: in ``production`` (set
by ``docker-compose.yml``) the app refuses to start with an empty, example or short
secret, because anyone who knows ``change-me`` could sign session cookies or mint widget
tokens for any student (issue 14). ``development`` (the default of ``make web`` and the
tests) keeps the random keys of ``var/``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import FrozenSet, List, Tuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("development", "production")
MIN_SECRET_LENGTH = 32
#: placeholders seen in examples and tutorials, refused whatever their length
KNOWN_EXAMPLES = frozenset({"change-me", "changeme", "change_me", "secret", "password", "motdepasse", "xxx", "todo"})


class InsecureSettings(RuntimeError):
    """The settings are not fit for production; the message lists every problem in French."""


def example_values(path: Path = ROOT / ".env.example") -> FrozenSet[str]:
    """The values of ``.env.example`` (absent from the image: the known placeholders then)."""
    values = set(KNOWN_EXAMPLES)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.lstrip().startswith("#") and len(value.strip()) >= 4:
                values.add(value.strip())
    return frozenset(values)


def secret_problem(name: str, value: str, min_length: int = MIN_SECRET_LENGTH) -> str | None:
    """Why ``value`` is not a production secret, in French, or ``None``."""
    if not value:
        return f'{name} est vide : générez-en un avec python3 -c "import secrets; print(secrets.token_urlsafe(32))".'
    if value.strip().lower() in {v.lower() for v in example_values()}:
        return f"{name} a la valeur d'exemple de .env.example : remplacez-la par un secret aléatoire."
    if len(value) < min_length:
        return f"{name} est trop court ({len(value)} caractères, {min_length} au moins)."
    return None


def _secret(name: str, var_dir: Path, keep_random: bool = True) -> str:
    """``SECRET_KEY`` from the environment, else (development) a random key kept in ``var/``."""
    value = os.environ.get(name, "").strip()
    if value or not keep_random:
        return value
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name.lower()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _networks(text: str) -> Tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``TRUSTED_PROXIES``: addresses or networks separated by commas or spaces."""
    out = []
    for item in text.replace(",", " ").split():
        if item == "*":
            raise InsecureSettings("TRUSTED_PROXIES=* ferait confiance à n'importe quel client : listez les adresses.")
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise InsecureSettings(f"TRUSTED_PROXIES : adresse ou réseau invalide « {item} ».") from None
    return tuple(out)


@dataclass
class Settings:
    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    secret_key: str = ""
    widget_secret: str = ""
    #: ``RASA_REST_SECRET``, sent to Rasa's REST channel (needed when Rasa is not on the loopback)
    rasa_secret: str = ""
    #: ``development`` or ``production`` (``NEGO_ENV``): production refuses weak secrets
    environment: str = "development"
    #: ``Secure`` cookies: on behind HTTPS (the school's reverse proxy)
    cookie_secure: bool = False
    #: who may embed the widget in a frame (CSP frame-ancestors), e.g. ``https://moodle.lycee.fr``
    widget_ancestors: str = "*"
    #: reverse proxies whose ``X-Real-IP`` names the client (``TRUSTED_PROXIES``); none: the peer is the client
    trusted_proxies: Tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: ``REDIS_URL``: rate limits shared by all web processes (empty: in the process's memory)
    redis_url: str = ""
    login_attempts: int = 5
    login_window_s: int = 300
    rasa_timeout_s: float = 60.0
    var_dir: Path = field(default_factory=lambda: ROOT / "var")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def problems(self) -> List[str]:
        """What makes these settings unsafe on a school's server (French, one line each)."""
        out = []
        if self.environment not in ENVIRONMENTS:
            out.append(f"NEGO_ENV doit valoir development ou production, pas « {self.environment} ».")
        for name, value in (("SECRET_KEY", self.secret_key), ("WIDGET_SECRET", self.widget_secret)):
            problem = secret_problem(name, value)
            if problem:
                out.append(problem)
        host = urlsplit(self.rasa_url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            problem = secret_problem("RASA_REST_SECRET", self.rasa_secret)
            if problem:
                out.append(problem + " (Rasa n'est pas sur cette machine : son canal REST l'exige)")
        password = urlsplit(self.database_url).password if "://" in self.database_url else None
        if password is not None and password.lower() in {v.lower() for v in example_values()}:
            out.append("Le mot de passe de DATABASE_URL (POSTGRES_PASSWORD) a la valeur d'exemple : changez-le.")
        return out

    def check(self) -> None:
        """Refuse to start in production (or with an unknown ``NEGO_ENV``) when ``problems`` is not empty."""
        problems = self.problems()
        if problems and (self.production or self.environment not in ENVIRONMENTS):
            raise InsecureSettings("Démarrage refusé (NEGO_ENV=production) :\n- " + "\n- ".join(problems))

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = ROOT / "var"
        environment = os.environ.get("NEGO_ENV", "development").strip().lower() or "development"
        development = environment == "development"
        rasa_url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
        return cls(
            database_url=os.environ.get("DATABASE_URL", ""),
            rasa_url=rasa_url.rstrip("/"),
            secret_key=_secret("SECRET_KEY", var_dir, keep_random=development),
            widget_secret=_secret("WIDGET_SECRET", var_dir, keep_random=development),
            rasa_secret=os.environ.get("RASA_REST_SECRET", "").strip(),
            environment=environment,
            cookie_secure=_flag("COOKIE_SECURE"),
            widget_ancestors=os.environ.get("WIDGET_ALLOWED_ORIGINS", "*"),
            trusted_proxies=_networks(os.environ.get("TRUSTED_PROXIES", "")),
            redis_url=os.environ.get("REDIS_URL", "").strip(),
            var_dir=var_dir,
        )
