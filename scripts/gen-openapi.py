#!/usr/bin/env python3
"""Writes census's OpenAPI 3 document: docs/openapi.json and its embedded copy Sources/API/OpenAPI/OpenAPIDocument.swift.

This script is the source of the document. Regenerate both files after changing it:

    python3 scripts/gen-openapi.py

APITests/OpenAPIDocumentTests fails when a route exists that the document lacks (or the other way round), and when the
embedded Swift copy differs from docs/openapi.json.
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def integer(minimum=None):
    schema = {"type": "integer", "format": "int64"}
    if minimum is not None:
        schema["minimum"] = minimum
    return schema


def strings():
    return {"type": "array", "items": {"type": "string"}}


def obj(properties, required=None, nullable=False):
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if nullable:
        schema["nullable"] = True
    return schema


def map_of(schema, nullable=False):
    result = {"type": "object", "additionalProperties": schema}
    if nullable:
        result["nullable"] = True
    return result


def query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def path(name, description):
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description):
    return json_response(description, ref("Error"))


LIMIT = query("limit", "Page size: default 100; a value that is not a positive integer means 100; clamped to 1000.")
OFFSET = query("offset", "Items to skip: default 0; a value that is not a non-negative integer means 0.")
SERVICE = query("service", "Only items emitted by this service (exact match).")
STORAGE_ERROR = error("Storage (ClickHouse) failure; the body is always `{\"error\":\"storage unavailable\"}` "
                      "(the detail is logged, never answered).")
READS_BUSY = dict(error("Storage busy: every API read slot stayed busy for --api-read-queue-timeout "
                        "(`{\"error\":\"too many concurrent reads\"}`), or the read ran past --api-query-timeout "
                        "(`{\"error\":\"read timed out: storage busy\"}`)."),
                  headers={"Retry-After": {"description": "Seconds to wait before retrying.",
                                           "schema": {"type": "integer", "minimum": 1}}})


def get(operation_id, summary, parameters, responses, tags):
    responses = dict(responses)
    if responses.get("500") is STORAGE_ERROR:  # every storage read goes through the read limit
        responses["503"] = READS_BUSY
    return {"get": {"operationId": operation_id, "summary": summary, "tags": tags, "parameters": parameters,
                    "responses": responses}}


def page_of(item):
    return obj({"data": {"type": "array", "items": item}, "total": integer(0), "limit": integer(1),
                "offset": integer(0), "has_more": {"type": "boolean"}},
               required=["data", "total", "limit", "offset", "has_more"])


def signal_page_of(item, logs=False):
    """The metric, span and log list envelope: a page plus `total_sample_count` (and, for logs, `total_log_patterns`)."""
    page = page_of(item)
    page["properties"]["total_sample_count"] = integer(0)
    page["required"] = page["required"] + ["total_sample_count"]
    if logs:
        page["properties"]["total_log_patterns"] = integer(0)
        page["required"] = page["required"] + ["total_log_patterns"]
    return page


KEY_USAGE_LIMIT = query("limit", "Page size: default 10000 (the whole answer, as the reference gives it); a value that "
                                 "is not a positive integer means 10000; clamped to 10000.")


def telemetry_entry(identity):
    return obj({**identity, "services": map_of(integer(0)), "attribute_count": integer(0),
                "attribute_cardinality": integer(0)},
               required=[*identity, "services", "attribute_count", "attribute_cardinality"])


KEY_MAP = map_of(ref("KeyMetadata"))
DROPPED_ITEMS = obj({"total_dropped": integer(0), "items_with_dropped": integer(0), "max_dropped": integer(0)},
                    required=["total_dropped", "items_with_dropped", "max_dropped"])

SCHEMAS = {
    "Error": obj({"error": {"type": "string"}}, required=["error"]),
    "KeyMetadata": obj({"value_samples": strings(), "count": integer(0), "percentage": {"type": "number"},
                        "estimated_cardinality": integer(0)},
                       required=["count", "percentage", "estimated_cardinality"]),
    "ScopeInfo": obj({"name": {"type": "string"}, "version": {"type": "string"}}, required=["name"]),
    "MetricData": obj({"data_point_count": integer(0), "aggregation_temporality": integer(0),
                       "is_monotonic": {"type": "boolean"},
                       "explicit_bounds": {"type": "array", "items": {"type": "number"}},
                       "scales": {"type": "array", "items": {"type": "integer"}}},
                      required=["data_point_count"], nullable=True),
    "Metric": obj({"name": {"type": "string"}, "description": {"type": "string"}, "unit": {"type": "string"},
                   "data": ref("MetricData"), "label_keys": KEY_MAP, "resource_keys": KEY_MAP,
                   "scope_info": ref("ScopeInfo"), "sample_count": integer(0), "services": map_of(integer(0)),
                   "type": {"type": "string", "enum": ["Gauge", "Sum", "Histogram", "ExponentialHistogram", "Summary",
                                                       "Unknown"]},
                   "active_series_otlp": integer(0), "active_series_prometheus": integer(0)},
                  required=["name", "label_keys", "resource_keys", "sample_count", "services"]),
    "Span": obj({"name": {"type": "string"}, "kind": integer(0), "kind_name": {"type": "string"},
                 "attribute_keys": KEY_MAP, "event_names": {**strings(), "nullable": True},
                 "event_attribute_keys": map_of(KEY_MAP, nullable=True),
                 "link_attribute_keys": map_of(ref("KeyMetadata"), nullable=True), "resource_keys": KEY_MAP,
                 "has_trace_state": {"type": "boolean"}, "has_parent_span_id": {"type": "boolean"},
                 "status_codes": strings(), "dropped_attributes_stats": DROPPED_ITEMS,
                 "dropped_events_stats": DROPPED_ITEMS, "dropped_links_stats": DROPPED_ITEMS,
                 "scope_info": ref("ScopeInfo"),
                 "name_patterns": {"type": "array", "items": ref("SpanNamePattern")},
                 "sample_count": integer(0), "services": map_of(integer(0))},
                required=["name", "kind", "attribute_keys", "resource_keys", "has_trace_state", "has_parent_span_id",
                          "sample_count", "services"]),
    "SpanNamePattern": obj({"template": {"type": "string"}, "count": integer(0), "percentage": {"type": "number"},
                            "examples": strings()}, required=["template", "count", "percentage", "examples"]),
    "SpanPatternGroup": obj({"pattern": {"type": "string"},
                             "matching_spans": {"type": "array", "items": obj({
                                 "span_name": {"type": "string"}, "sample_count": integer(0), "services": strings(),
                                 "kind": {"type": "string"}}, required=["span_name", "sample_count", "services", "kind"])},
                             "total_samples": integer(0), "span_count": integer(0)},
                            required=["pattern", "matching_spans", "total_samples", "span_count"]),
    "BodyTemplate": obj({"template": {"type": "string"}, "count": integer(0), "percentage": {"type": "number"},
                         "example": {"type": "string"}}, required=["template", "count", "percentage", "example"]),
    "Log": obj({"severity": {"type": "string"}, "severity_number": integer(0), "attribute_keys": KEY_MAP,
                "resource_keys": KEY_MAP, "body_templates": {"type": "array", "items": ref("BodyTemplate")},
                "event_names": strings(), "has_trace_context": {"type": "boolean"},
                "has_span_context": {"type": "boolean"},
                "dropped_attributes_stats": obj({"total_dropped": integer(0), "records_with_dropped": integer(0),
                                                 "max_dropped": integer(0)}),
                "scope_info": ref("ScopeInfo"), "sample_count": integer(0), "services": map_of(integer(0))},
               required=["severity", "attribute_keys", "resource_keys", "has_trace_context", "has_span_context",
                         "sample_count", "services"]),
    "Attribute": obj({"key": {"type": "string"}, "count": integer(0), "estimated_cardinality": integer(0),
                      "value_samples": {**strings(), "nullable": True},
                      "signal_types": {"type": "array", "items": {"type": "string", "enum": ["metric", "span", "log"]}},
                      "scope": {"type": "string", "enum": ["resource", "attribute", "both"]},
                      "first_seen": {"type": "string", "format": "date-time"},
                      "last_seen": {"type": "string", "format": "date-time"},
                      "watched": {"type": "boolean", "description": "List items only: whether the key is deep-watched "
                                                                      "(the detail answer has it beside `data`)."}},
                     required=["key", "count", "estimated_cardinality", "signal_types", "scope", "first_seen",
                               "last_seen"]),
    "KeyInfo": obj({"name": {"type": "string"}, "cardinality": integer(0), "sample_values": strings()},
                   required=["name", "cardinality"]),
    "ServicePatternInfo": obj({"service_name": {"type": "string"}, "sample_count": integer(0),
                               "severities": strings(),
                               "resource_keys": {"type": "array", "items": ref("KeyInfo")},
                               "attribute_keys": {"type": "array", "items": ref("KeyInfo")}},
                              required=["service_name", "sample_count", "severities"]),
    "PatternGroup": obj({"template": {"type": "string"}, "example_body": {"type": "string"},
                         "total_count": integer(0), "severity_breakdown": map_of(integer(0)),
                         "services": {"type": "array", "items": ref("ServicePatternInfo")}},
                        required=["template", "example_body", "total_count", "severity_breakdown", "services"]),
    "Readiness": obj({"status": {"type": "string", "enum": ["ready", "not ready"]}, "reason": {"type": "string"},
                      "checks": map_of(obj({"ok": {"type": "boolean"}, "detail": {"type": "string"}}, required=["ok", "detail"]))},
                     required=["status", "checks"]),
    "QuarantinedRecord": obj({"topic": {"type": "string"}, "partition": integer(0), "offset": integer(0),
                              "timestamp": {"type": "string", "format": "date-time"}, "size": integer(0),
                              "error": {"type": "string"},
                              "first_bytes_base64": {"type": "string", "format": "byte",
                                                     "description": "The first 256 bytes of the record, base64; "
                                                                    "only with the admin bearer token, absent "
                                                                    "otherwise."}},
                             required=["topic", "partition", "offset", "timestamp", "size", "error"]),
}

PATHS = {
    "/api/v1/health": get("health", "Liveness: process status, uptime and memory.", [], {
        "200": json_response("Alive.", obj({
            "status": {"type": "string"}, "timestamp": {"type": "string"}, "version": {"type": "string"},
            "uptime": {"type": "string"},
            "memory": obj({"alloc_mb": integer(0), "total_alloc_mb": integer(0), "sys_mb": integer(0),
                           "num_gc": integer(0)})}, required=["status", "timestamp", "version", "uptime", "memory"]))},
        ["health"]),
    "/api/v1/version": get("version", "The running build: version, commit and build date (also `census --version`).", [], {
        "200": json_response("The build.", obj({"version": {"type": "string"}, "commit": {"type": "string"},
                                               "build_date": {"type": "string"}},
                                              required=["version", "commit", "build_date"]))}, ["health"]),
    "/api/v1/span-patterns": get(
        "listSpanPatterns", "Span names grouped into patterns across services (ids, numbers, UUIDs, hex, paths replaced "
        "by placeholders, as in log body templates); most names first. Computed from at most 10000 span names.",
        [query("limit", "Patterns per page: default 10000; a value that is not a positive integer means 10000; "
                        "clamped to 10000."), OFFSET],
        {"200": json_response("A page of patterns; `total` counts them all.", obj({
            "patterns": {"type": "array", "items": ref("SpanPatternGroup")}, "total": integer(0)},
            required=["patterns", "total"])), "500": STORAGE_ERROR}, ["spans"]),
    "/api/v1/services/{name}/attributes": get(
        "getServiceAttributes", "Every attribute and resource key the service sent on any signal, sorted.",
        [path("name", "Service name (percent-decoded once)."), KEY_USAGE_LIMIT, OFFSET],
        {"200": json_response("The keys (an unknown service has none); `total` counts them all.", obj({
            "keys": strings(), "service": {"type": "string"}, "total": integer(0)}, required=["keys", "service", "total"])),
         "400": error("Undecodable path segment."), "500": STORAGE_ERROR}, ["services"]),
    "/api/v1/attributes/{key}/services": get(
        "getAttributeServices", "Which services and signals use a key: observations carrying it per (service, signal), "
        "most first.", [path("key", "Attribute key (percent-decoded once)."), KEY_USAGE_LIMIT, OFFSET],
        {"200": json_response("The services (an unknown key has none); `total` counts them all.", obj({
            "key": {"type": "string"},
            "services": {"type": "array", "items": obj({
                "service_name": {"type": "string"}, "signal_type": {"type": "string", "enum": ["metric", "span", "log"]},
                "count": integer(0)}, required=["service_name", "signal_type", "count"])},
            "total": integer(0)}, required=["key", "services", "total"])),
         "400": error("Undecodable path segment."), "500": STORAGE_ERROR}, ["attributes"]),
    "/api/v1/attributes/{key}/telemetry": get(
        "getAttributeTelemetry", "The metrics, spans and logs that carry a key (attribute or resource scope).",
        [path("key", "Attribute key (percent-decoded once)."),
         query("limit", "Names per signal: default 10000; a value that is not a positive integer means 10000; "
                        "clamped to 10000. The `*_count` fields count them all.")],
        {"200": json_response("The key and its telemetry.", obj({
            "attribute": ref("Attribute"), "key": {"type": "string"},
            "log_count": integer(0), "logs": {"type": "array", "items": telemetry_entry({"severity": {"type": "string"}})},
            "metric_count": integer(0),
            "metrics": {"type": "array", "items": telemetry_entry({"name": {"type": "string"}, "type": {"type": "string"}})},
            "span_count": integer(0),
            "spans": {"type": "array", "items": telemetry_entry({"name": {"type": "string"}, "kind": {"type": "string"}})}},
            required=["attribute", "key", "log_count", "logs", "metric_count", "metrics", "span_count", "spans"])),
         "400": error("Undecodable path segment."), "404": error("Unknown key."), "500": STORAGE_ERROR},
        ["attributes"]),
    "/api/v1/metrics": get("listMetrics", "Metric names, one element per name with services merged, sorted by name.",
                           [SERVICE, LIMIT, OFFSET],
                           {"200": json_response("A page of metrics.", signal_page_of(ref("Metric"))), "500": STORAGE_ERROR},
                           ["metrics"]),
    "/api/v1/metrics/{name}": get("getMetric", "One metric by name.", [path("name", "Metric name (percent-decoded once).")],
                                  {"200": json_response("The metric.", ref("Metric")),
                                   "400": error("Undecodable path segment."), "404": error("Unknown metric."),
                                   "500": STORAGE_ERROR}, ["metrics"]),
    "/api/v1/spans": get("listSpans", "Span names, one element per name with services merged, sorted by name.",
                         [SERVICE, LIMIT, OFFSET],
                         {"200": json_response("A page of spans.", signal_page_of(ref("Span"))), "500": STORAGE_ERROR},
                         ["spans"]),
    "/api/v1/spans/{name}": get("getSpan", "One span name.", [path("name", "Span name (percent-decoded once).")],
                                {"200": json_response("The span.", ref("Span")),
                                 "400": error("Undecodable path segment."), "404": error("Unknown span name."),
                                 "500": STORAGE_ERROR}, ["spans"]),
    "/api/v1/logs": get("listLogs", "Log severities, one element per severity with services merged.",
                        [SERVICE, LIMIT, OFFSET],
                        {"200": json_response("A page of severities.", signal_page_of(ref("Log"), logs=True)), "500": STORAGE_ERROR},
                        ["logs"]),
    "/api/v1/logs/{severity}": get("getLog", "One severity (empty means UNSET).",
                                   [path("severity", "Severity text (percent-decoded once).")],
                                   {"200": json_response("The severity.", ref("Log")),
                                    "400": error("Undecodable path segment."), "404": error("Unknown severity."),
                                    "500": STORAGE_ERROR}, ["logs"]),
    "/api/v1/logs/by-service": get("listLogsByService", "Log record counts per (severity, service).",
                                   [LIMIT, OFFSET],
                                   {"200": json_response("A page of (severity, service) counts.", page_of(obj(
                                       {"service_name": {"type": "string"}, "severity": {"type": "string"},
                                        "sample_count": integer(0)},
                                       required=["service_name", "severity", "sample_count"]))),
                                    "500": STORAGE_ERROR}, ["logs"]),
    "/api/v1/logs/service/{service}/severity/{severity}": get(
        "getLogByServiceAndSeverity", "One severity of one service.",
        [path("service", "Service name."), path("severity", "Severity text.")],
        {"200": json_response("The severity of that service.", obj({
            "severity": {"type": "string"}, "service_name": {"type": "string"}, "sample_count": integer(0),
            "body_templates": {"type": "array", "items": ref("BodyTemplate"), "nullable": True},
            "attribute_keys": KEY_MAP, "resource_keys": KEY_MAP},
            required=["severity", "service_name", "sample_count", "attribute_keys", "resource_keys"])),
         "400": error("Undecodable path segment."), "404": error("No data for this service and severity."),
         "500": STORAGE_ERROR}, ["logs"]),
    "/api/v1/logs/patterns": get(
        "getLogPatterns", "Body templates grouped across severities, most frequent first.",
        [query("minCount", "Minimum count of a template within a severity (default 10)."),
         query("minServices", "Minimum number of service entries of a pattern (default 1).")],
        {"200": json_response("Pattern groups.", obj({
            "patterns": {"type": "array", "items": ref("PatternGroup"), "nullable": True}, "total": integer(0)},
            required=["patterns", "total"])), "500": STORAGE_ERROR}, ["logs"]),
    "/api/v1/logs/patterns/{severity}/{template}": get(
        "getPatternDetails", "One body template within one severity.",
        [path("severity", "Severity text."), path("template", "Body template.")],
        {"200": json_response("The pattern.", obj({
            "example_body": {"type": "string"}, "services": {"type": "array", "items": ref("ServicePatternInfo")},
            "severity": {"type": "string"}, "template": {"type": "string"}, "total_count": integer(0)},
            required=["example_body", "services", "severity", "template", "total_count"])),
         "400": error("Undecodable path segment."), "404": error("No such pattern for this severity."),
         "500": STORAGE_ERROR}, ["logs"]),
    "/api/v1/services": get("listServices", "Every service name, sorted.", [], {
        "200": json_response("Service names.", obj({"data": {**strings(), "nullable": True}, "total": integer(0)},
                                                   required=["data", "total"])), "500": STORAGE_ERROR}, ["services"]),
    "/api/v1/services/{name}/overview": get(
        "getServiceOverview", "Everything one service emits.", [path("name", "Service name.")],
        {"200": json_response("The overview (zero counts for an unknown service).", obj({
            "service_name": {"type": "string"}, "metric_count": integer(0), "span_count": integer(0),
            "log_count": integer(0), "metrics": {"type": "array", "items": ref("Metric")},
            "spans": {"type": "array", "items": ref("Span")}, "logs": {"type": "array", "items": ref("Log")}},
            required=["service_name", "metric_count", "span_count", "log_count", "metrics", "spans", "logs"])),
         "400": error("Undecodable path segment."), "500": STORAGE_ERROR}, ["services"]),
    "/api/v1/cardinality/high": get(
        "getHighCardinalityKeys", "Keys whose estimated cardinality reaches a threshold, highest first.",
        [query("threshold", "Minimum estimated cardinality (default 100)."),
         query("limit", "Maximum keys returned (default 100, clamped to 1000).")],
        {"200": json_response("High-cardinality keys.", obj({
            "high_cardinality_keys": {"type": "array", "nullable": True, "items": obj({
                "signal_type": {"type": "string", "enum": ["metric", "span", "log"]},
                "signal_name": {"type": "string"},
                "key_scope": {"type": "string"}, "key_name": {"type": "string"},
                "event_name": {"type": "string"},
                "estimated_cardinality": integer(0), "key_count": integer(0), "value_samples": strings()},
                required=["signal_type", "signal_name", "key_scope", "key_name", "estimated_cardinality",
                          "key_count"])},
            "total": integer(0), "threshold": integer(0)}, required=["high_cardinality_keys", "total", "threshold"])),
         "500": STORAGE_ERROR}, ["cardinality"]),
    "/api/v1/cardinality/complexity": get(
        "getMetadataComplexity", "Signals with the most keys.",
        [query("threshold", "Minimum total key count (default 10)."),
         query("limit", "Maximum signals returned (default 100, clamped to 1000).")],
        {"200": json_response("Signal complexity.", obj({
            "signals": {"type": "array", "nullable": True, "items": obj({
                "signal_type": {"type": "string", "enum": ["metric", "span", "log"]},
                "signal_name": {"type": "string"},
                "total_keys": integer(0), "attribute_key_count": integer(0), "resource_key_count": integer(0),
                "event_key_count": integer(0), "link_key_count": integer(0), "max_cardinality": integer(0),
                "high_cardinality_count": integer(0), "complexity_score": integer(0)},
                required=["signal_type", "signal_name", "total_keys", "max_cardinality", "complexity_score"])},
            "total": integer(0), "threshold": integer(0)}, required=["signals", "total", "threshold"])),
         "500": STORAGE_ERROR}, ["cardinality"]),
    "/api/v1/attributes": get(
        "listAttributes", "The attribute-key catalog across signals.",
        [query("signal_type", "metric, span or log."),
         query("scope", "resource, attribute or both."),
         query("min_cardinality", "Minimum estimated cardinality (0 = no minimum)."),
         query("max_cardinality", "Maximum estimated cardinality (0 = no maximum)."),
         query("sort_by", "cardinality (default), count, key, first_seen or last_seen."),
         query("sort_order", "desc (default) sorts descending; any other value ascending."),
         query("limit", "Page size: default 100, at most 10000; 0 or negative means 10000."),
         OFFSET],
        {"200": json_response("A page of attribute keys.", obj({
            "data": {"type": "array", "items": ref("Attribute")}, "has_more": {"type": "boolean"},
            "limit": integer(), "offset": integer(0), "total": integer(0)},
            required=["data", "has_more", "limit", "offset", "total"])), "500": STORAGE_ERROR}, ["attributes"]),
    "/api/v1/attributes/{key}": get(
        "getAttribute", "One attribute key.", [path("key", "Attribute key (percent-decoded once).")],
        {"200": json_response("The key.", obj({"data": ref("Attribute"), "watched": {"type": "boolean"}}, required=["data", "watched"])),
         "400": error("Empty or undecodable key."), "404": error("Unknown key."), "500": STORAGE_ERROR},
        ["attributes"]),
    "/api/v1/quarantine": get(
        "listQuarantine", "Kafka records that could not be ingested, by topic, partition and offset. Payload bytes "
        "(`first_bytes_base64`) only for a request with `Authorization: Bearer <admin token>`.", [LIMIT, OFFSET],
        {"200": json_response("A page of quarantined records.", page_of(ref("QuarantinedRecord"))),
         "500": STORAGE_ERROR}, ["operations"]),
    "/api/v1/admin/clear": {"post": {
        "operationId": "clearAllData", "summary": "Delete all stored metadata and everything buffered in memory.",
        "tags": ["admin"], "security": [{"adminToken": []}],
        "responses": {
            "200": json_response("Cleared.", obj({"message": {"type": "string"}}, required=["message"])),
            "401": error("Missing or wrong bearer token."),
            "403": error("No admin token is configured, so the route is disabled."),
            "500": error("Clearing failed."),
        }}},
    "/readyz": get("readiness", "Readiness: ClickHouse reachable, schema current, consumer in its group.", [], {
        "200": json_response("Ready.", ref("Readiness")),
        "503": json_response("Not ready; `reason` says why.", ref("Readiness"))}, ["operations"]),
    "/metrics": get("prometheusMetrics", "Prometheus text exposition of census's metrics (see docs/OPERATIONS.md).", [], {
        "200": {"description": "Metrics in the Prometheus text format 0.0.4.",
                "content": {"text/plain": {"schema": {"type": "string"}}}}}, ["operations"]),
    "/": get("webUI", "The web UI (index.html of a single-page application built on this API; see docs/API.md, "
                      "\"Web UI\"). ETag/304, gzip on request, Content-Security-Policy default-src 'self'.", [], {
        "200": {"description": "The UI's HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}},
        "304": {"description": "Not modified (If-None-Match named the current ETag)."}}, ["ui"]),
    "/ui/{asset}": get("webUIAsset", "One file of the web UI (JavaScript module, style sheet or icon), embedded in the "
                                     "binary.", [path("asset", "File name, e.g. app.js.")], {
        "200": {"description": "The file.", "content": {
            "text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}},
            "image/svg+xml": {"schema": {"type": "string"}}}},
        "304": {"description": "Not modified (If-None-Match named the current ETag)."},
        "404": error("No such file.")}, ["ui"]),
    "/api/v1/openapi.json": get("openAPIDocument", "This document.", [], {
        "200": json_response("The OpenAPI 3 document.", {"type": "object"})}, ["meta"]),
}

def v2_label_paths():
    """The LabelReading routes: per-label detail, active series per metric, the Prometheus-style TSDB status."""
    range_parameters = [
        query("from", "First UTC day included: YYYY-MM-DD or an RFC 3339 time (its UTC day); default: all time."),
        query("to", "Last UTC day included: YYYY-MM-DD or an RFC 3339 time (its UTC day); default: all time."),
    ]
    series = {"active_series_otlp": integer(0), "active_series_prometheus": integer(0)}
    bad_request = error("A `from`/`to` (or `sort`, `date`) that does not parse, or `from` after `to`.")
    label = obj({"key": {"type": "string"}, "scope": {"type": "string", "enum": ["resource", "attribute", "event", "link"]},
                 "event_name": {"type": "string"}, "estimated_cardinality": integer(0), "count": integer(0),
                 "share": {"type": "number", "nullable": True},
                 "top_values": {"type": "array", "items": obj({"value": {"type": "string"}, "count": integer(0),
                                                               "share": {"type": "number"}},
                                                              required=["value", "count", "share"])},
                 "value_samples": strings(), "series_contribution": {"type": "number"}},
                required=["key", "scope", "estimated_cardinality", "count", "share", "top_values", "value_samples"])
    labels = obj({"signal": {"type": "string", "enum": ["metric", "span", "log"]}, "name": {"type": "string"},
                  "count": integer(0), **series, "data": {"type": "array", "items": label}, "total": integer(0),
                  "limit": integer(1), "offset": integer(0), "has_more": {"type": "boolean"}},
                 required=["signal", "name", "count", "data", "total", "limit", "offset", "has_more"])
    label_parameters = range_parameters + [SERVICE, LIMIT, OFFSET]

    def labels_path(operation_id, summary, parameter, description, not_found):
        return get(operation_id, summary, [path(parameter, description)] + label_parameters, {
            "200": json_response("One page of keys, highest estimated cardinality first.", labels),
            "400": bad_request, "404": error(not_found), "500": STORAGE_ERROR}, ["v2"])

    service_series = obj({"service": {"type": "string"}, "count": integer(0), **series},
                         required=["service", "count", *series])
    metric_series = obj({"name": {"type": "string"}, "type": {"type": "string"}, "count": integer(0), **series,
                         "services": {"type": "array", "items": service_series}},
                        required=["name", "type", "count", *series, "services"])
    named = {"type": "array", "items": obj({"name": {"type": "string"}, "value": integer(0)}, required=["name", "value"])}
    lists = ["seriesCountByMetricName", "labelValueCountByLabelName", "seriesCountByLabelValuePair",
             "memoryInBytesByLabelName"]
    tsdb = obj({"status": {"type": "string", "enum": ["success"]}, "data": obj({
        "totalSeries": integer(0), "totalLabelValuePairs": integer(0),
        "headStats": obj({"numSeries": integer(0), "numLabelPairs": integer(0), "chunkCount": integer(0),
                          "minTime": integer(0), "maxTime": integer(0)},
                         required=["numSeries", "numLabelPairs", "chunkCount", "minTime", "maxTime"]),
        **{name: named for name in lists}, "seriesCountByFocusLabelValue": named},
        required=["totalSeries", "totalLabelValuePairs", "headStats", *lists])}, required=["status", "data"])
    return {
        "/api/v2/metrics/{name}/labels": labels_path(
            "getMetricLabelsV2", "Every label and resource key of one metric in a time range.", "name", "Metric name.",
            "The metric has no data point in the range (`{\"error\":\"metric not found\"}`)."),
        "/api/v2/spans/{name}/attributes": labels_path(
            "getSpanAttributesV2", "Every attribute, resource, event and link key of one span name in a time range.",
            "name", "Span name.", "The span name has no span in the range."),
        "/api/v2/logs/{severity}/attributes": labels_path(
            "getLogAttributesV2", "Every attribute and resource key of one log severity in a time range.", "severity",
            "Severity text.", "The severity has no log record in the range."),
        "/api/v2/metrics": get(
            "listMetricSeriesV2", "Metrics with their data points and active series in a time range, per service.",
            range_parameters + [SERVICE, query("sort", "series (default: most OTLP series first) or name."), LIMIT,
                                OFFSET],
            {"200": json_response("A page of metrics.", page_of(metric_series)), "400": bad_request,
             "500": STORAGE_ERROR}, ["v2"]),
        "/api/v2/status/tsdb": get(
            "getTSDBStatusV2", "Prometheus `/api/v1/status/tsdb` over the metrics of a time range (with "
            "VictoriaMetrics' topN, date and focusLabel).",
            range_parameters + [
                query("date", "One UTC day, YYYY-MM-DD (1970-01-01: every day), within from/to."),
                query("topN", "Entries per list: default 10; a value that is not a positive integer means 10; "
                              "clamped to 1000."),
                query("focusLabel", "A label name: adds seriesCountByFocusLabelValue.")],
            {"200": json_response("The TSDB status.", tsdb), "400": bad_request, "500": STORAGE_ERROR}, ["v2"]),
    }


PATHS.update(v2_label_paths())

V2_FROM = query("from", "First UTC day included: YYYY-MM-DD or an RFC 3339 time (resolved to its UTC day); "
                        "default: all time. 400 when it does not parse or is after `to`.")
V2_TO = query("to", "Last UTC day included: YYYY-MM-DD or an RFC 3339 time (resolved to its UTC day); default: all time.")
V2_DAY = {"type": "string", "format": "date", "nullable": True}
V2_SCOPE = {"type": "string", "enum": ["resource", "attribute", "event", "link"]}
V2_SIGNAL = {"type": "string", "enum": ["metric", "span", "log"]}


def v2_page(properties, required, item):
    """A V2 answer with a paginated `data` list (V1's envelope) beside other fields."""
    props = dict(properties)
    props.update({"data": {"type": "array", "items": item}, "total": integer(0), "limit": integer(1),
                  "offset": integer(0), "has_more": {"type": "boolean"}})
    return obj(props, required=required + ["data", "total", "limit", "offset", "has_more"])


def v2_explorer_paths():
    """Items 7 of issue 12: cross-signal keys and services (ExplorerReading)."""
    return {
        "/api/v2/keys/{key}": get(
            "getKeyUsageV2", "Where one attribute key appears in the range: overall count, cardinality and samples "
            "(merged over every place), and one page of places (signal, name, scope, service), by estimated "
            "cardinality descending, then signal, name, scope, service.",
            [path("key", "Attribute key (percent-decoded once)."), V2_FROM, V2_TO, LIMIT, OFFSET],
            {"200": json_response("The key's places.", v2_page({
                "key": {"type": "string"}, "from": V2_DAY, "to": V2_DAY, "count": integer(0),
                "estimated_cardinality": integer(0), "samples": strings(),
                "signals": {"type": "array", "items": V2_SIGNAL}},
                ["key", "from", "to", "count", "estimated_cardinality", "samples", "signals"],
                obj({"signal": V2_SIGNAL, "name": {"type": "string"}, "scope": V2_SCOPE, "service": {"type": "string"},
                     "count": integer(0), "estimated_cardinality": integer(0)},
                    required=["signal", "name", "scope", "service", "count", "estimated_cardinality"]))),
             "400": error("Undecodable path segment, or a bad `from`/`to`."),
             "404": error("The key has no data in the range."), "500": STORAGE_ERROR}, ["v2"]),
        "/api/v2/services/{name}": get(
            "getServiceUsageV2", "Every attribute key one service emits in the range with its cost (items and "
            "estimated cardinality), by estimated cardinality descending, then signal, scope, key; plus the "
            "service's totals per signal (names, items, keys).",
            [path("name", "Service name (percent-decoded once)."), V2_FROM, V2_TO,
             query("signal", "Only keys of this signal: metric, span or log (the totals always cover every "
                             "signal). 400 for any other value."), LIMIT, OFFSET],
            {"200": json_response("The service's keys.", v2_page({
                "service": {"type": "string"}, "from": V2_DAY, "to": V2_DAY, "signal": {**V2_SIGNAL, "nullable": True},
                "signals": {"type": "array", "items": obj(
                    {"signal": V2_SIGNAL, "names": integer(0), "items": integer(0), "keys": integer(0)},
                    required=["signal", "names", "items", "keys"])}},
                ["service", "from", "to", "signal", "signals"],
                obj({"signal": V2_SIGNAL, "scope": V2_SCOPE, "key": {"type": "string"}, "count": integer(0),
                     "estimated_cardinality": integer(0)},
                    required=["signal", "scope", "key", "count", "estimated_cardinality"]))),
             "400": error("Undecodable path segment, a bad `from`/`to` or an unknown `signal`."),
             "404": error("The service emitted nothing in the range."), "500": STORAGE_ERROR}, ["v2"]),
    }


def v2_system_paths():
    """Item 8 of issue 12: store statistics (SystemReading)."""
    nullable_integer = {**integer(0), "nullable": True}
    return {
        "/api/v2/system/clickhouse": get(
            "getClickHouseStatusV2", "The ClickHouse server: version, uptime, merges and unfinished mutations of "
            "census's tables, their active parts, and disk space (null on servers without system.disks, such as "
            "18.16).", [],
            {"200": json_response("The server's status.", obj({
                "version": {"type": "string"}, "uptime_seconds": integer(0), "merges_in_progress": integer(0),
                "mutations_in_progress": integer(0), "active_parts": integer(0),
                "disk_free_bytes": nullable_integer, "disk_total_bytes": nullable_integer},
                required=["version", "uptime_seconds", "merges_in_progress", "mutations_in_progress", "active_parts",
                          "disk_free_bytes", "disk_total_bytes"])),
             "500": STORAGE_ERROR}, ["v2"]),
        "/api/v2/system/tables": get(
            "getTableStatisticsV2", "Every table of census's database with its active parts' rows and bytes.", [],
            {"200": json_response("The tables, by name.", obj({
                "data": {"type": "array", "items": obj({
                    "table": {"type": "string"}, "engine": {"type": "string"}, "rows": integer(0),
                    "bytes_on_disk": integer(0), "compressed_bytes": integer(0), "uncompressed_bytes": integer(0),
                    "compression_ratio": {"type": "number", "nullable": True}, "active_parts": integer(0)},
                    required=["table", "engine", "rows", "bytes_on_disk", "compressed_bytes", "uncompressed_bytes",
                              "compression_ratio", "active_parts"])},
                "total": integer(0)}, required=["data", "total"])),
             "500": STORAGE_ERROR}, ["v2"]),
    }


def v2_history_paths():
    """/api/v2/history and /api/v2/changes (HistoryReading); their schemas are added to SCHEMAS here too."""
    day = {"type": "string", "format": "date"}
    range_end = "YYYY-MM-DD or an RFC 3339 time (its UTC day); default: all time."
    signal_enum = {"type": "string", "enum": ["metric", "span", "log"]}
    SCHEMAS["HistoryPoint"] = obj({
        "day": day, "count": integer(0),
        "estimated_cardinality": {**integer(0), "nullable": True},
        "services": strings()}, required=["day", "count", "estimated_cardinality", "services"])
    SCHEMAS["History"] = obj({
        "signal": signal_enum, "name": {"type": "string"}, "key": {"type": "string"}, "scope": {"type": "string"},
        "service": {"type": "string"}, "step": {"type": "string", "enum": ["day"]},
        "from": day, "to": day, "points": {"type": "array", "items": ref("HistoryPoint")}},
        required=["signal", "name", "step", "points"])
    SCHEMAS["Change"] = obj({
        "kind": {"type": "string", "enum": ["new", "vanished", "growth"]},
        "item": {"type": "string", "enum": ["metric", "span", "log_template", "key", "service"]},
        "signal": signal_enum, "name": {"type": "string"}, "service": {"type": "string"},
        "scope": {"type": "string", "enum": ["resource", "attribute", "event", "link"]}, "event": {"type": "string"},
        "key": {"type": "string"}, "template": {"type": "string"},
        "severity": {"type": "string", "enum": ["info", "warning", "critical"]},
        "from": integer(0), "to": integer(0), "ratio": {"type": "number", "nullable": True}, "delta": integer(),
        "started": {**day, "nullable": True}},
        required=["kind", "item", "signal", "severity", "from", "to", "ratio", "delta", "started"])
    SCHEMAS["Changes"] = obj({
        "since": day, "until": day,
        "baseline": obj({"from": day, "to": day}, required=["from", "to"], nullable=True),
        "sort": {"type": "string", "enum": ["ratio", "delta"]},
        "min_severity": {"type": "string", "enum": ["info", "warning", "critical"]},
        "summary": obj({"critical": integer(0), "warning": integer(0), "info": integer(0)},
                       required=["critical", "warning", "info"]),
        "changes": {"type": "array", "items": ref("Change")},
        "total": integer(0), "limit": integer(1), "offset": integer(0), "has_more": {"type": "boolean"}},
        required=["since", "until", "baseline", "sort", "min_severity", "summary", "changes", "total", "limit",
                  "offset", "has_more"])
    return {
        "/api/v2/history": get(
            "getHistory", "One name's (or one of its keys') count, estimated cardinality (a key's distinct values, a "
            "metric's distinct series; null for span and log names) and services per UTC day.",
            [query("signal", "Required: metric, span or log.", signal_enum),
             query("name", "Required: the metric or span name, or the log severity."),
             query("key", "An attribute key of the name: the key's count and cardinality per day instead of the name's."),
             query("scope", "With key: only the key as seen in this scope (default: every scope merged).",
                   {"type": "string", "enum": ["resource", "attribute", "event", "link"]}),
             SERVICE,
             query("step", "Only `day` (the stored grain); anything else is 400.", {"type": "string", "enum": ["day"]}),
             query("from", "First day. " + range_end), query("to", "Last day. " + range_end)],
            {"200": json_response("Points of the days with data, oldest first (at most 3660: the newest ones).",
                                  ref("History")),
             "400": error("Missing or invalid signal or name, invalid scope, step or range."),
             "404": error("No data for the name (or key) in the range."), "500": STORAGE_ERROR}, ["v2"]),
        "/api/v2/changes": get(
            "listChanges", "What appeared, vanished or grew in cardinality in a window of days, compared with a "
            "baseline of as many days just before it.",
            [query("since", "Required: first day of the window; YYYY-MM-DD or an RFC 3339 time (its UTC day)."),
             query("until", "Last day of the window (default: the newest stored day)."),
             query("baseline_from", "First day of the baseline, which always ends the day before `since` "
                                    "(default: as many days as the window)."),
             query("signal", "Only this signal.", signal_enum), SERVICE,
             query("min_severity", "Leave out findings below this severity (they still count in `summary`).",
                   {"type": "string", "enum": ["info", "warning", "critical"]}),
             query("sort", "Within a severity, rank by `ratio` (default) or by `delta`.",
                   {"type": "string", "enum": ["ratio", "delta"]}),
             LIMIT, OFFSET],
            {"200": json_response("A page of findings, most severe first.", ref("Changes")),
             "400": error("Missing or invalid since, until, baseline_from, signal, min_severity or sort."),
             "500": STORAGE_ERROR}, ["v2"]),
    }


def session_paths():
    """`/api/v1/sessions…`: the reference's snapshot sessions as named day ranges (V1Routes+Sessions)."""
    stats = obj({"metrics_count": integer(0), "spans_count": integer(0), "logs_count": integer(0),
                 "attributes_count": integer(0), "services": strings()},
                required=["metrics_count", "spans_count", "logs_count", "attributes_count", "services"])
    day = {"type": "string", "nullable": True, "description": "YYYY-MM-DD; null: open (all stored days on that side)."}
    metadata = obj({"id": {"type": "string"}, "description": {"type": "string"}, "created": {"type": "string"},
                    "signals": strings(), "size_bytes": integer(0), "stats": stats,
                    "kind": {"type": "string", "enum": ["range", "imported"]}, "from": day, "to": day,
                    "service_filter": strings()},
                   required=["id", "created", "signals", "size_bytes", "stats", "kind", "from", "to", "service_filter"])
    document = obj({"version": integer(), "id": {"type": "string"}, "description": {"type": "string"},
                    "created": {"type": "string"}, "signals": strings(), "data": {"type": "object"}, "stats": stats},
                   required=["id"])
    field_change = obj({"field": {"type": "string"}, "from": {"type": "integer", "nullable": True},
                        "to": {"type": "integer", "nullable": True}, "change_pct": {"type": "number"},
                        "severity": {"type": "string", "enum": ["info", "warning", "critical"]},
                        "message": {"type": "string"}}, required=["field", "from", "to", "severity"])
    change = obj({"type": {"type": "string", "enum": ["added", "removed", "changed"]},
                  "signal_type": {"type": "string", "enum": ["metric", "span", "log", "attribute"]},
                  "name": {"type": "string"}, "severity": {"type": "string", "enum": ["info", "warning", "critical"]},
                  "details": {"type": "array", "items": field_change}, "metadata": {"type": "object"}},
                 required=["type", "signal_type", "name", "severity"])
    changes = {"type": "array", "items": change}
    counts = obj({"added": integer(0), "removed": integer(0), "changed": integer(0)}, required=["added", "removed", "changed"])
    lists = obj({"added": changes, "removed": changes, "changed": changes})
    sections = ["metrics", "spans", "logs", "attributes"]
    diff = obj({"from": {"type": "string"}, "to": {"type": "string"},
                "summary": obj({s: counts for s in sections}, required=sections),
                "changes": obj({s: lists for s in sections}, required=sections), "critical_changes": changes},
               required=["from", "to", "summary", "changes"])
    SCHEMAS.update({"SessionMetadata": metadata, "SessionStats": stats, "SessionDocument": document, "SessionDiff": diff})
    name = path("name", "Session name: lowercase letters, digits and inner hyphens, at most 128 bytes.")
    admin = {"401": error("Missing or wrong bearer token."),
             "403": error("No admin token is configured, so session writes are disabled.")}
    not_found = error("No session of that name.")
    force = query("force", "`true`: replace a session of the same name (otherwise 409).")
    signals = query("signals", "Comma-separated signals to keep in `data` (metrics, spans, logs); default: all.")
    data_answer = obj({"message": {"type": "string"}, "session": {"type": "string"}, "stats": stats,
                       "data": {"type": "object"}, "action": {"type": "string", "enum": ["replace", "merge"]}},
                      required=["message", "session", "stats", "data", "action"])

    def post(operation_id, summary, parameters, responses, body=None):
        operation = {"operationId": operation_id, "summary": summary, "tags": ["sessions"], "security": [{"adminToken": []}],
                     "parameters": parameters, "responses": {**responses, **admin, "500": STORAGE_ERROR}}
        if body:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        return operation

    create_body = obj({"name": {"type": "string"}, "description": {"type": "string"}, "signals": strings(),
                       "services": strings(), "from": {"type": "string"}, "to": {"type": "string"}}, required=["name"])
    return {
        "/api/v1/sessions": {
            **get("listSessions", "Sessions by name, each with its stats (counted from its range, or as imported).",
                  [query("limit", "Page size: default 100, clamped to 100."), OFFSET],
                  {"200": json_response("One page of sessions.", obj({"sessions": {"type": "array", "items": ref("SessionMetadata")},
                                                                     "total": integer(0)}, required=["sessions", "total"])),
                   "500": STORAGE_ERROR}, ["sessions"]),
            "post": post("createSession", "Name a day range (plus optional service and signal filters) of the stored history: "
                         "O(1), nothing is copied.", [force],
                         {"201": json_response("Created.", obj({"message": {"type": "string"}, "session": ref("SessionMetadata")},
                                                                required=["message", "session"])),
                          "400": error("Invalid body, name, from/to, or signals."), "409": error("A session of that name exists."),
                          "413": error("Body larger than 32 MiB.")},
                         create_body)},
        "/api/v1/sessions/diff": get(
            "diffSessions", "Compare two sessions with the reference's severities (≥ 10x critical, ≥ 2x warning).",
            [query("from", "Required: the baseline session."), query("to", "Required: the compared session."),
             query("signal_type", "Only this signal.", {"type": "string", "enum": ["metric", "span", "log"]}), SERVICE,
             query("min_severity", "Leave out changes below this severity (they still count in `summary`).",
                   {"type": "string", "enum": ["info", "warning", "critical"]})],
            {"200": json_response("The differences.", ref("SessionDiff")), "400": error("from or to missing."),
             "404": error("A session does not exist."), "500": STORAGE_ERROR}, ["sessions"]),
        "/api/v1/sessions/import": {"post": post(
            "importSession", "Store a session document (the reference's export format) byte for byte.", [force],
            {"201": json_response("Imported.", obj({"message": {"type": "string"}, "session": {"type": "string"}},
                                                   required=["message", "session"])),
             "400": error("Not a session document, or an invalid id."), "409": error("A session of that name exists."),
             "413": error("Body larger than 32 MiB.")}, ref("SessionDocument"))},
        "/api/v1/sessions/{name}": {
            **get("getSession", "One session's metadata and stats.", [name],
                  {"200": json_response("The session.", ref("SessionMetadata")), "400": error("Invalid name encoding."),
                   "404": not_found, "500": STORAGE_ERROR}, ["sessions"]),
            "delete": {**post("deleteSession", "Delete a session (the stored history is not touched).", [name],
                              {"204": {"description": "Deleted."}, "400": error("Invalid name encoding."), "404": not_found})}},
        "/api/v1/sessions/{name}/export": get(
            "exportSession", "The session as the reference's session document (an imported one byte for byte).", [name],
            {"200": json_response("The document (`Content-Disposition: attachment`).", ref("SessionDocument")),
             "400": error("Invalid name encoding."), "404": not_found, "500": STORAGE_ERROR}, ["sessions"]),
        "/api/v1/sessions/{name}/load": {"post": post(
            "loadSession", "The session's data for the client to show instead of the current state (census never "
            "overwrites its history).", [name, signals],
            {"200": json_response("The data, `action` replace.", data_answer), "400": error("Invalid name encoding."), "404": not_found})},
        "/api/v1/sessions/{name}/merge": {"post": post(
            "mergeSession", "The session's data for the client to merge into what it shows.", [name, signals],
            {"200": json_response("The data, `action` merge.", data_answer), "400": error("Invalid name encoding."), "404": not_found})},
    }


def watch_paths():
    """`/api/v1/attributes/{key}/watch`: deep watch (V1Routes+Watch)."""
    key = path("key", "Attribute key (percent-decoded once), at most 1024 bytes.")
    admin = {"401": error("Missing or wrong bearer token."),
             "403": error("No admin token is configured, so watch changes are disabled.")}
    bad_key = error("Empty, undecodable or too long key.")
    value = obj({"value": {"type": "string"}, "count": integer(0), "first_seen": {"type": "string", "format": "date-time"},
                 "last_seen": {"type": "string", "format": "date-time"}}, required=["value", "count", "first_seen", "last_seen"])
    explorer = obj({"active": {"type": "boolean"}, "has_invalid_utf8": {"type": "boolean"}, "key": {"type": "string"},
                    "overflow": {"type": "boolean"}, "overflow_observations": integer(0), "page": integer(1),
                    "page_size": integer(1), "total_observations": integer(0), "total_values": integer(0),
                    "unique_count": integer(0), "values": {"type": "array", "items": ref("WatchedValue")},
                    "watching_since": {"type": "string", "format": "date-time"}},
                   required=["active", "key", "overflow", "page", "page_size", "total_observations", "total_values",
                             "unique_count", "values", "watching_since"])
    started = obj({"key": {"type": "string"}, "overflow": {"type": "boolean"}, "unique_count": integer(0),
                   "watching_since": {"type": "string", "format": "date-time"}},
                  required=["key", "overflow", "unique_count", "watching_since"])
    SCHEMAS.update({"WatchedValue": value, "WatchedAttribute": explorer})
    unavailable = error("Deep watch is not wired on this server.")
    return {"/api/v1/attributes/{key}/watch": {
        **get("getWatchedAttribute", "The values collected for a deep-watched key (the reference's Value Explorer), with "
              "first/last seen per value.",
              [key, query("sort_by", "count (default), value, first_seen or last_seen; anything else is 400.",
                          {"type": "string", "enum": ["count", "value", "first_seen", "last_seen"]}),
               query("sort_direction", "desc (default) or asc; anything else is 400.", {"type": "string", "enum": ["asc", "desc"]}),
               query("q", "Only values starting with this text (at most 1024 bytes)."),
               query("page", "Page number from 1; a value that is not a positive integer means 1; clamped to 1000000."),
               query("page_size", "Values per page: default 100; a value outside 1–10000 means 100.")],
              {"200": json_response("The key's values.", ref("WatchedAttribute")),
               "400": error("Bad key, sort_by, sort_direction or q."), "404": error("The key was never watched."),
               "500": STORAGE_ERROR}, ["attributes"]),
        "post": {"operationId": "watchAttribute", "summary": "Start collecting every value of the key (up to "
                 "--watch-max-values distinct values, then counted as overflow), shared by every census instance of the store.",
                 "tags": ["attributes"], "security": [{"adminToken": []}], "parameters": [key],
                 "responses": {"200": json_response("Watching.", started), "400": bad_key, **admin,
                               "409": error("The key is watched already."),
                               "429": error("10 keys are watched already."), "500": STORAGE_ERROR, "503": unavailable}},
        "delete": {"operationId": "unwatchAttribute", "summary": "Stop collecting the key's values (they stay readable).",
                   "tags": ["attributes"], "security": [{"adminToken": []}], "parameters": [key],
                   "responses": {"204": {"description": "No longer collected."}, "400": bad_key, **admin,
                                 "404": error("The key was never watched."), "500": STORAGE_ERROR, "503": unavailable}},
    }}


PATHS.update(watch_paths())
PATHS.update(v2_explorer_paths())
PATHS.update(v2_system_paths())
PATHS.update(v2_history_paths())
PATHS.update(session_paths())

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "census V1 API",
        "version": "1.0.0",
        "description": "Metadata census of OpenTelemetry data read from Kafka. Compatible with the V1 API of OTLP "
                       "Cardinality Checker; every deliberate difference is listed in docs/API.md.",
    },
    "servers": [{"url": "http://127.0.0.1:8090"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                           "description": "The value of CENSUS_ADMIN_TOKEN."}},
    },
}


def swift_source(text):
    return (
        "// Generated by scripts/gen-openapi.py from the same data as docs/openapi.json. Do not edit.\n"
        "// swift-format-ignore-file\n\n"
        "/// The OpenAPI 3 document served at `GET /api/v1/openapi.json` (a byte-for-byte copy of docs/openapi.json).\n"
        "package enum OpenAPIDocument {\n"
        "    /// The document's JSON text.\n"
        f"    package static let json = ##\"\"\"\n{text}\n\"\"\"##\n"
        "}\n"
    )


def main():
    text = json.dumps(DOCUMENT, indent=2, ensure_ascii=False)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "openapi.json").write_text(text + "\n")
    swift_dir = ROOT / "Sources" / "API" / "OpenAPI"
    swift_dir.mkdir(parents=True, exist_ok=True)
    (swift_dir / "OpenAPIDocument.swift").write_text(swift_source(text))


if __name__ == "__main__":
    main()
