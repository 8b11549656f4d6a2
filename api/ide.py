"""GraphiQL with its scripts and styles served from this server (closed networks have no CDN)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
ASSETS_URL = "/graphiql-assets"
LOCAL = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


class IdeAssetsOutOfDate(RuntimeError):
    """Strawberry's page names an asset we do not ship: update api/static/graphiql."""


@cache
def graphiql_html() -> str:
    html = get_graphql_ide_html(graphql_ide="graphiql")
    for remote, local in LOCAL.items():
        if remote not in html:
            raise IdeAssetsOutOfDate(f"the GraphiQL page no longer names {remote}")
        html = html.replace(remote, f"{ASSETS_URL}/{local}")
    if "https://" in html:
        raise IdeAssetsOutOfDate("the GraphiQL page names a remote asset")
    return html
