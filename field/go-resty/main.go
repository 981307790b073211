// Field driver: github.com/go-resty/resty/v2 with its defaults, over the kit's JSON Lines protocol
// (the jsonl package of ../go-nethttp). Wiring, and nothing else: SetBaseURL, SetAuthToken,
// SetTimeout(total_ms), SetRetryCount(max_retries), SetResponseBodyLimit(max_response_bytes),
// SetDebug(debug); the CA comes from SSL_CERT_FILE, which crypto/x509 reads itself.
// Build: go build -o bin/driver . (field.json's setup does it).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"ronfield/go-nethttp/jsonl"
)

const version = "v2.17.2" // the version pinned in go.mod

var (
	mu      sync.Mutex
	clients = map[string]*resty.Client{}
	next    = 0
)

func configure(p *jsonl.Params) (map[string]any, error) {
	c := resty.New().SetBaseURL(p.BaseURL)
	if p.Token != "" {
		c.SetAuthToken(p.Token)
	}
	if p.Timeouts.Total > 0 {
		c.SetTimeout(time.Duration(p.Timeouts.Total) * time.Millisecond)
	}
	if p.MaxRetries != nil {
		c.SetRetryCount(*p.MaxRetries)
	}
	if p.MaxBytes > 0 {
		c.SetResponseBodyLimit(p.MaxBytes)
	}
	c.SetDebug(p.Debug)
	mu.Lock()
	defer mu.Unlock()
	next++
	handle := fmt.Sprintf("c%d", next)
	clients[handle] = c
	return map[string]any{"client": handle}, nil
}

func lookup(handle string) (*resty.Client, error) {
	mu.Lock()
	defer mu.Unlock()
	if c, ok := clients[handle]; ok {
		return c, nil
	}
	return nil, jsonl.Config("unknown client handle")
}

// classify maps a resty error to the protocol's error types.
func classify(err error) *jsonl.Error {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var nerr net.Error
	switch {
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		return jsonl.Fail("too_large", err)
	case errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr):
		return jsonl.Fail("insecure", err)
	case errors.As(err, &nerr) && nerr.Timeout():
		return jsonl.Fail("timeout", err)
	}
	return jsonl.Fail("network", err)
}

func request(p *jsonl.Params) (map[string]any, error) {
	c, err := lookup(p.Client)
	if err != nil {
		return nil, err
	}
	r := c.R()
	if len(p.Query) > 0 {
		r.SetQueryParams(p.Query)
	}
	if p.HasJSON() {
		r.SetHeader("Content-Type", "application/json").SetBody([]byte(p.JSON))
	}
	resp, err := r.Execute(p.Method, p.Path)
	if err != nil {
		return nil, classify(err)
	}
	headers := map[string]string{}
	for k, v := range resp.Header() {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return jsonl.Result(resp.StatusCode(), headers, resp.Body(), c.JSONUnmarshal)
}

func closeClient(p *jsonl.Params) (map[string]any, error) {
	c, err := lookup(p.Client)
	if err != nil {
		return nil, err
	}
	c.GetClient().CloseIdleConnections()
	mu.Lock()
	delete(clients, p.Client)
	mu.Unlock()
	return map[string]any{}, nil
}

func main() {
	jsonl.Serve(map[string]jsonl.Op{
		"hello": func(*jsonl.Params) (map[string]any, error) {
			return map[string]any{"protocol": 1, "name": "resty", "version": version,
				"language": "go", "capabilities": []string{"http", "tls", "retry"}}, nil
		},
		"configure": configure,
		"request":   request,
		"close":     closeClient,
	})
}
