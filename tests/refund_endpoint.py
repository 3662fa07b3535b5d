"""A K2 endpoint that does not exist, for tests that prove a new endpoint is a spec edit.

``REFUNDS`` is what Kopo Kopo might add one day: a money-moving ``POST /api/v2/refunds`` (``amount``,
``metadata``, ``_links.callback_url``) whose 201 links to ``GET /api/v2/refunds/{id}`` (a pending and a
processed example) and whose ``callbacks`` entry is a new ``RefundResult`` path item (a processed example).
``write_refund_spec`` writes a copy of the repository's spec with it added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from k2connect_sandbox.spec import load_spec

__all__ = ["REFUNDS", "add_refunds", "write_refund_spec"]

REPO = Path(__file__).resolve().parents[1]


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.strip().splitlines())


_ERRORS = """
'400': {$ref: '#/components/responses/BadRequest'}
'401': {$ref: '#/components/responses/Unauthorized'}
'429': {$ref: '#/components/responses/TooManyRequests'}
'500': {$ref: '#/components/responses/ServerError'}
'503': {$ref: '#/components/responses/ServerError'}
"""

REFUNDS = f"""
paths:
  /api/v2/refunds:
    post:
      operationId: v2_create_refund
      x-k2connect-moves-money: true
      tags: [v2]
      summary: Refund a customer (a test-only endpoint)
      security: [{{oauth2: []}}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/RefundRequest'}}
      responses:
        '201':
          description: Accepted. The resource lives at the Location header.
          headers:
            Location: {{$ref: '#/components/headers/Location'}}
          links:
            GetRefund:
              operationId: v2_get_refund
              parameters:
                id: '$response.header.Location#regex:/refunds/([^/]+)$'
{_indent(_ERRORS, 8)}
      callbacks:
        result:
          '{{$request.body#/_links/callback_url}}': {{$ref: '#/components/pathItems/RefundResult'}}
  /api/v2/refunds/{{id}}:
    get:
      operationId: v2_get_refund
      tags: [v2]
      summary: Read a refund and its outcome
      security: [{{oauth2: []}}]
      parameters: [{{$ref: '#/components/parameters/ResourceId'}}]
      responses:
        '200':
          description: The resource.
          content:
            application/json:
              examples:
                refund_pending: {{$ref: '#/components/examples/RefundPending'}}
                refund_processed: {{$ref: '#/components/examples/RefundProcessed'}}
              schema: {{$ref: '#/components/schemas/RefundResult'}}
        '401': {{$ref: '#/components/responses/Unauthorized'}}
        '404': {{$ref: '#/components/responses/NotFound'}}
        '429': {{$ref: '#/components/responses/TooManyRequests'}}
        '500': {{$ref: '#/components/responses/ServerError'}}
        '503': {{$ref: '#/components/responses/ServerError'}}
components:
  pathItems:
    RefundResult:
      post:
        operationId: callback_refund_result
        security: []
        summary: Refund result
        parameters: [{{$ref: '#/components/parameters/Signature'}}]
        requestBody:
          required: true
          content:
            application/json:
              examples:
                refund_processed: {{$ref: '#/components/examples/RefundProcessed'}}
              schema: {{$ref: '#/components/schemas/RefundResult'}}
        responses:
          '200': {{$ref: '#/components/responses/ReceiverAccepted'}}
          '401': {{$ref: '#/components/responses/ReceiverRejected'}}
  examples:
    RefundPending:
      summary: Accepted, not processed yet
      value:
        data:
          id: 0b6bd7e4-58e7-4c36-8d38-6e0f3c0f1d11
          type: refund
          attributes:
            status: Pending
            created_at: '2027-03-05T21:23:13.994+03:00'
            amount: {{currency: KES, value: '603.0'}}
            processed_at: null
            metadata: {{notes: Order 7781 deposit}}
            _links:
              callback_url: https://shop.example.co.ke/k2/results/arcctc
              self: https://sandbox.kopokopo.com/api/v2/refunds/0b6bd7e4-58e7-4c36-8d38-6e0f3c0f1d11
    RefundProcessed:
      summary: The refund went through
      value:
        data:
          id: 0b6bd7e4-58e7-4c36-8d38-6e0f3c0f1d11
          type: refund
          attributes:
            status: Processed
            created_at: '2027-03-05T21:23:13.994+03:00'
            amount: {{currency: KES, value: '603.0'}}
            processed_at: '2027-03-05T21:24:02.120+03:00'
            metadata: {{notes: Order 7781 deposit}}
            _links:
              callback_url: https://shop.example.co.ke/k2/results/arcctc
              self: https://sandbox.kopokopo.com/api/v2/refunds/0b6bd7e4-58e7-4c36-8d38-6e0f3c0f1d11
  schemas:
    RefundRequest:
      type: object
      required: [amount, _links]
      properties:
        amount: {{$ref: '#/components/schemas/Amount'}}
        metadata: {{$ref: '#/components/schemas/NullableMetadata'}}
        _links: {{$ref: '#/components/schemas/CallbackLinks'}}
    RefundResult:
      type: object
      required: [data]
      properties:
        data: {{$ref: '#/components/schemas/RefundData'}}
    RefundData:
      allOf:
        - {{$ref: '#/components/schemas/ResourceData'}}
        - type: object
          required: [attributes]
          properties:
            type: {{type: string}}
            attributes: {{$ref: '#/components/schemas/RefundAttributes'}}
    RefundAttributes:
      type: object
      required: [status, created_at, amount, metadata, _links]
      additionalProperties: false
      properties:
        status: {{type: string, enum: [Pending, Processed]}}
        created_at: {{type: string, format: date-time}}
        amount:
          type: object
          required: [currency, value]
          properties:
            currency: {{type: string}}
            value: {{type: string}}
        processed_at: {{type: ['null', string], format: date-time}}
        metadata:
          oneOf:
            - {{$ref: '#/components/schemas/ResultMetadata'}}
            - {{type: 'null'}}
        _links:
          type: object
          required: [callback_url, self]
          properties:
            callback_url: {{type: string, format: uri}}
            self: {{type: string, format: uri}}
"""


def add_refunds(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the refund endpoints' paths and components added (one level into components)."""
    addition = yaml.safe_load(REFUNDS)
    spec["paths"].update(addition["paths"])
    for section, entries in addition["components"].items():
        spec["components"].setdefault(section, {}).update(entries)
    return spec


def write_refund_spec(folder: Path, source: Path = REPO / "openapi" / "k2connect.yaml") -> Path:
    """``source`` (the repository's spec) plus the refund endpoints, as ``k2connect.yaml`` in ``folder``."""
    spec = add_refunds(load_spec(source))
    path = folder / "k2connect.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
