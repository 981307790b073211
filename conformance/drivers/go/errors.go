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
	"strings"
)

// RonError is the typed SDK error; Message is a fixed text, never a body, URL or secret.
type RonError struct {
	Type, Message, Code, Kind, CorrelationID string
	Status                                   int
	Details                                  map[string]any
}

func (e *RonError) Error() string { return e.Type + ": " + e.Message }

// ToMap renders the error as a protocol SdkError.
func (e *RonError) ToMap() map[string]any {
	m := map[string]any{"type": e.Type, "message": e.Message}
	for k, v := range map[string]string{"code": e.Code, "kind": e.Kind, "correlation_id": e.CorrelationID} {
		if v != "" {
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

// ParseProblem maps an error response to a RonError without quoting the body.
func ParseProblem(status int, contentType string, body []byte, requestID string) *RonError {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return &RonError{Type: "problem", Message: fmt.Sprintf("HTTP %d with a non-JSON body", status), Status: status,
			Code: fmt.Sprintf("http_%d", status), CorrelationID: requestID}
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return &RonError{Type: "transport", Message: "error body is not valid JSON", Status: status, CorrelationID: requestID}
	}
	m, _ := doc.(map[string]any)
	s := func(k string) string { v, _ := m[k].(string); return v }
	first := func(vs ...string) string {
		for _, v := range vs {
			if v != "" {
				return v
			}
		}
		return ""
	}
	e := &RonError{Type: "problem", Status: status, Message: first(s("message"), fmt.Sprintf("HTTP %d", status)),
		Code: first(s("code"), fmt.Sprintf("http_%d", status)), Kind: s("kind"),
		CorrelationID: first(s("correlation_id"), requestID)}
	e.Details, _ = m["details"].(map[string]any)
	if s("code") == "" && (s("type") != "" || s("title") != "") { // RFC 9457
		e.Code, e.Kind = first(s("type"), e.Code), s("title")
		e.Message = first(s("detail"), s("title"), e.Message)
		e.CorrelationID = first(s("instance"), requestID)
	}
	return e
}
