"""The web app's view of the project settings (``bot/config.py``), secrets resolved and checked.

The web app needs two secrets (session cookies, widget tokens); on a teacher's laptop,
when the environment does not give them, a random one is kept in ``var/`` so that
sessions survive a restart.

``NEGO_ENV`` tells a developer's machine from a school's server: in ``production`` (set
by ``docker-compose.yml``) the app refuses to start with an empty, example or short
secret, because anyone who knows ``change-me`` could sign session cookies or mint widget
tokens for any student (issue 14). ``development`` (the default of ``make web`` and the
tests) keeps the random keys of ``var/``.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import FrozenSet, List, Tuple
from urllib.parse import urlsplit

from bot.config import DEFAULT_DATABASE_URL, ROOT, get_settings
from bot.config import Settings as ProjectSettings

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


def stored_secret(name: str, var_dir: Path) -> str:
    """A random key kept in ``var_dir/name`` (created once, readable by its owner only)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


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
    """What ``create_app`` reads; tests build one by hand, production uses :meth:`from_env`."""

    database_url: str = DEFAULT_DATABASE_URL
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
    message_max_chars: int = 5000
    telegram_bot_username: str = ""
    #: ``RETENTION_DAYS``: shown on the privacy page (``bot.cli purge`` applies it)
    retention_days: int = 365
    var_dir: Path = field(default_factory=lambda: get_settings().var_dir)

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
        config = ProjectSettings()  # read now, not the process's cached copy: one app, one reading
        environment = config.nego_env.strip().lower() or "development"
        development = environment == "development"

        def secret(value: str, name: str) -> str:
            value = value.strip()
            return value if value or not development else stored_secret(name, config.var_dir)

        return cls(
            database_url=config.database_url,
            rasa_url=config.rasa_url,
            secret_key=secret(config.secret_key, "secret_key"),
            widget_secret=secret(config.widget_secret, "widget_secret"),
            rasa_secret=config.rasa_rest_secret.strip(),
            environment=environment,
            cookie_secure=config.cookie_secure,
            widget_ancestors=config.widget_allowed_origins,
            trusted_proxies=_networks(config.trusted_proxies),
            redis_url=config.redis_url.strip(),
            login_attempts=config.login_attempts,
            login_window_s=config.login_window_s,
            rasa_timeout_s=config.rasa_timeout_s,
            message_max_chars=config.message_max_chars,
            telegram_bot_username=config.telegram_bot_username.lstrip("@"),
            retention_days=config.retention_days,
            var_dir=config.var_dir,
        )
