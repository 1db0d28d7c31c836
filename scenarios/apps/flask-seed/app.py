"""The seeds' Flask app: configuration from the environment App Service sets, passwordless sign-in
with the app's managed identity (DefaultAzureCredential), Azure SQL with the token in attrs_before,
Redis over TLS with an Entra token, and Key Vault through KEY_VAULT_URI.

It runs unchanged on App Service and inside `privlink run`. /health reports each dependency: what
its name resolved to from here, and whether the first request worked (HTTP 503 when one did not).
"""

import os
import socket
import struct

import mssql_python
import redis
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from flask import Flask, jsonify

app = Flask(__name__)
credential = DefaultAzureCredential()

# SQL_COPT_SS_ACCESS_TOKEN: the token as the driver's ACCESSTOKEN struct (a 4-byte little-endian
# length, then the UTF-16-LE token). The seeds pass `token.encode("utf-16-le")` alone; Microsoft's
# drivers read the first four bytes of that as a length, so the struct is what works.
SQL_COPT_SS_ACCESS_TOKEN = 1256


def sql_token_struct():
    token = credential.get_token("https://database.windows.net/.default").token
    token_bytes = token.encode("utf-16-le")
    return struct.pack(f"<I{len(token_bytes)}s", len(token_bytes), token_bytes)


def get_sql_connection():
    conn_str = (
        f"Server=tcp:{os.environ['SQL_SERVER_FQDN']},1433;"
        f"Database={os.environ['SQL_DATABASE_NAME']};"
        "Encrypt=yes;TrustServerCertificate=no;"
    )
    return mssql_python.connect(conn_str, attrs_before={SQL_COPT_SS_ACCESS_TOKEN: sql_token_struct()})


def redis_client():
    token = credential.get_token("https://redis.azure.com/.default")
    object_id = os.environ.get("REDIS_USER") or token_object_id(token.token)
    return redis.Redis(
        host=os.environ["REDIS_HOST"],
        port=int(os.environ["REDIS_PORT"]),
        ssl=True,
        username=object_id,
        password=token.token,
        socket_timeout=5,
        socket_connect_timeout=5,
    )


def token_object_id(token):
    import base64
    import json

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["oid"]


def resolved(host):
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None, socket.AF_INET)})
    except socket.gaierror as e:
        return [f"unresolved: {e}"]


def check_sql():
    with get_sql_connection() as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT TOP 1 name FROM sys.tables ORDER BY name")
        row = cursor.fetchone()
    return {"sample_table": row[0] if row else None}


def check_redis():
    client = redis_client()
    return {"ping": client.ping()}


def check_key_vault():
    client = SecretClient(vault_url=os.environ["KEY_VAULT_URI"], credential=credential)
    return {"secrets": sum(1 for _ in client.list_properties_of_secrets())}


DEPENDENCIES = {
    "sql": (lambda: os.environ["SQL_SERVER_FQDN"], check_sql),
    "redis": (lambda: os.environ["REDIS_HOST"], check_redis),
    "key_vault": (lambda: os.environ["KEY_VAULT_URI"].split("/")[2], check_key_vault),
}


@app.get("/health")
def health():
    report = {}
    for name, (host_of, check) in DEPENDENCIES.items():
        host = host_of()
        entry = {"host": host, "addresses": resolved(host)}
        try:
            entry.update(check())
            entry["ok"] = True
        except Exception as e:  # the report says what failed; the app stays up
            entry["ok"] = False
            entry["error"] = f"{type(e).__name__}: {e}"[:600]
        report[name] = entry
    healthy = all(d["ok"] for d in report.values())
    return jsonify({"status": "healthy" if healthy else "unhealthy", "dependencies": report}), (200 if healthy else 503)


@app.get("/api/sql/ping")
def sql_ping():
    return jsonify({"status": "ok", **check_sql()})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
