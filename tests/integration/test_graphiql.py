"""GraphiQL works on a closed network: every asset comes from this server, integrity-checked."""

from __future__ import annotations

import base64
import hashlib
import re

from api.ide import LOCAL


async def test_graphiql_names_only_local_assets_whose_integrity_hashes_hold(gql):
    page = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "https://" not in html
    assets = re.findall(
        r'(?:src|href)="(/graphiql-assets/[^"]+)"\s+integrity="(sha384-[^"]+)"', html
    )
    assert len(assets) == len(LOCAL)
    for url, integrity in assets:
        served = await gql.http.get(url)
        assert served.status_code == 200, url
        digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert integrity == f"sha384-{digest}", url


async def test_the_graphiql_page_needs_no_token_but_its_queries_do(gql):
    page = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    query = await gql.http.get("/graphql", params={"query": "{ viewer { role } }"})
    assert query.status_code == 401
