// Typed errors of the Go client: the SdkError mapping and Problem parsing.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"
)

// RonError is the typed SDK error; Message is a fixed text, never a body, URL or secret.
type RonError struct {
	Type, Message, Code, Kind, CorrelationID string
	Status                                   int
	Details                                  map[string]any
	keepEmpty                                bool // a Problem: empty strings are the server's values
}

func (e *RonError) Error() string { return e.Type + ": " + e.Message }

// ToMap renders the error as a protocol SdkError.
func (e *RonError) ToMap() map[string]any {
	// rendered: the error as the SDK renders it (what an application would log); the kit scans it.
	m := map[string]any{"type": e.Type, "message": e.Message, "rendered": e.Error()}
	for k, v := range map[string]string{"code": e.Code, "kind": e.Kind, "correlation_id": e.CorrelationID} {
		if v != "" || e.keepEmpty {
			m[k] = v
		}
	}
	if e.Status != 0 {
		m["status"] = e.Status
	}
	if e.Details != nil {
		m["details"] = e.Details
	}
	return m
}

func classify(err error, parent context.Context) *RonError {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var nerr net.Error
	switch {
	case errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr):
		return &RonError{Type: "insecure", Message: "TLS certificate verification failed"}
	case parent.Err() != nil || (errors.As(err, &nerr) && nerr.Timeout()):
		return &RonError{Type: "timeout", Message: "request timed out"}
	case errors.Is(err, context.Canceled):
		return &RonError{Type: "timeout", Message: "read timed out"}
	}
	return &RonError{Type: "network", Message: fmt.Sprintf("network error (%T)", errors.Unwrap(err))}
}

func transportErr(status int, why, requestID string) *RonError {
	return &RonError{Type: "transport", Status: status, CorrelationID: requestID,
		Message: fmt.Sprintf("HTTP %d: error body could not be parsed (%s)", status, why)}
}

// ParseProblem maps an error response to a RonError (the kit's rules) without quoting the body.
func ParseProblem(status int, contentType string, body []byte, requestID string) *RonError {
	if !utf8.Valid(body) {
		return transportErr(status, "invalid_utf8", requestID)
	}
	text := strings.TrimSpace(strings.TrimPrefix(string(body), "\ufeff"))
	if text == "" {
		return transportErr(status, "empty_body", requestID)
	}
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return transportErr(status, "not_json", requestID)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return transportErr(status, "not_object", requestID)
	}
	str := func(k string) (string, bool) { v, ok := m[k].(string); return v, ok }
	first := func(vs ...string) string {
		for _, v := range vs {
			if v != "" {
				return v
			}
		}
		return ""
	}
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := str(k); ok {
				return v
			}
		}
		return ""
	}
	code, okC := str("code")
	kind, okK := str("kind")
	msg, okM := str("message")
	cid, okI := str("correlation_id")
	details, okD := m["details"].(map[string]any)
	if okC && okK && okM && okI && okD { // fields kept verbatim
		return &RonError{Type: "problem", Status: status, Code: code, Kind: kind, Details: details,
			Message: msg, CorrelationID: cid, keepEmpty: true}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	typ, okT := str("type")
	_, okTi := str("title")
	if _, hasCode := m["code"]; mt != "application/problem+json" && (hasCode || !(okT || okTi)) {
		return transportErr(status, "invalid_envelope", requestID)
	}
	if i := strings.IndexAny(typ, "?#"); i >= 0 {
		typ = typ[:i]
	}
	typ = strings.TrimRight(typ, "/")
	code = ""
	if typ != "" && typ != "about:blank" {
		code = typ[max(strings.LastIndex(typ, "/"), strings.LastIndex(typ, ":"))+1:]
		if dec, err := url.PathUnescape(code); err == nil {
			code = dec
		}
	}
	code = first(code, fmt.Sprintf("http_%d", status))
	rest := map[string]any{}
	for k, v := range m {
		switch k {
		case "type", "title", "status", "detail", "instance", "correlation_id":
		default:
			rest[k] = v
		}
	}
	kind = fmt.Sprintf("http_%d", status)
	if title, ok := str("title"); ok {
		kind = title
	}
	return &RonError{Type: "problem", Status: status, Code: code, Kind: kind, Message: pick("detail", "title"),
		Details: rest, CorrelationID: pick("correlation_id", "instance"), keepEmpty: true}
}
