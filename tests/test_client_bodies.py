"""Non-JSON bodies over loopback: multipart uploads, forms, binary and text, API keys in the query."""

from __future__ import annotations

import importlib
import logging
import sys

import pytest

from loopback import LoopbackServer

SPEC = """\
openapi: 3.0.3
info: {title: Files, version: "1"}
paths:
  /files:
    post:
      operationId: upload_file
      tags: [files]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                note: {type: string}
      responses:
        "201": {description: Stored., content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}
  /files/{fileId}:
    get:
      operationId: download_file
      tags: [files]
      parameters: [{name: fileId, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: The bytes., content: {application/octet-stream: {schema: {type: string, format: binary}}}}
    put:
      operationId: replace_file
      tags: [files]
      parameters: [{name: fileId, in: path, required: true, schema: {type: string}}]
      requestBody:
        content: {image/png: {schema: {type: string, format: binary}}}
      responses:
        "204": {description: Replaced.}
  /login:
    post:
      operationId: login
      tags: [auth]
      security: [{query_key: []}]
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {user: {type: string}, remember: {type: boolean}}}
      responses:
        "200": {description: Greeting., content: {text/plain: {schema: {type: string}}}}
components:
  securitySchemes:
    query_key: {type: apiKey, in: query, name: key}
"""


@pytest.fixture
def files_package(run_cli, tmp_path):
    spec = tmp_path / "files.yaml"
    spec.write_text(SPEC)
    assert run_cli("generate", spec, "--out", tmp_path, "--package", "files_api").code == 0
    sys.path.insert(0, str(tmp_path / "files_api"))
    yield importlib.import_module("files_api")
    sys.path.remove(str(tmp_path / "files_api"))
    for name in [m for m in sys.modules if m == "files_api" or m.startswith("files_api.")]:
        del sys.modules[name]


def test_multipart_upload_sends_files_and_fields(files_package):
    with LoopbackServer() as server, files_package.Client(server.url) as client:
        server.answer(201, {"id": "f1"})
        stored = client.files.upload_file(body={"file": ("a.txt", b"hello", "text/plain"), "note": "first"})
        request = server.requests[0]
    assert stored.id == "f1"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="a.txt"' in request.body and b"hello" in request.body
    assert b'name="note"' in request.body and b"first" in request.body


def test_binary_download_and_upload(files_package):
    with LoopbackServer() as server, files_package.Client(server.url) as client:
        server.answer(200, raw=b"\x89PNG\x00\xff", headers={"Content-Type": "application/octet-stream"})
        assert client.files.download_file(file_id="x/y") == b"\x89PNG\x00\xff"
        server.answer(204)
        assert client.files.replace_file(file_id="p", body=b"\x00\x01") is None
        download, upload = server.requests
    assert download.path == "/files/x%2Fy"
    assert upload.headers["content-type"] == "image/png" and upload.body == b"\x00\x01"


def test_form_body_text_answer_and_query_key_kept_out_of_logs(files_package, caplog):
    caplog.set_level(logging.DEBUG, logger="files_api")
    with LoopbackServer() as server, files_package.Client(server.url, query_key="s3cr3t-key") as client:
        server.answer(200, raw=b"hi there", headers={"Content-Type": "text/plain"})
        assert client.auth.login(body={"user": "ann", "remember": True}) == "hi there"
        server.answer(401, {"message": "no"})
        with pytest.raises(files_package.AuthenticationError) as caught:
            client.auth.login(body={"user": "ann"})
        request = server.requests[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.body == b"user=ann&remember=true"
    assert dict(request.query) == {"key": "s3cr3t-key"}
    assert "s3cr3t-key" not in caplog.text and "key=%5BREDACTED%5D" in caplog.text
    assert "s3cr3t-key" not in str(caught.value) and "s3cr3t-key" not in repr(client.credentials)
