"""The GraphQL API: ASGI app, context, schema, one package per aggregate."""
