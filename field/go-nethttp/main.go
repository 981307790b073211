// Field driver: Go's net/http with its defaults (http.DefaultClient-style), over the kit's JSON Lines
// protocol (jsonl). Wiring, and nothing else: the base URL, a bearer header, total_ms as Client.Timeout
// (the one timeout http.Client has); the CA comes from SSL_CERT_FILE, which crypto/x509 reads itself.
// Build: go build -o bin/driver . (field.json's setup does it).
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"ronfield/go-nethttp/jsonl"
)

type instance struct {
	client *http.Client
	base   string
	token  string
}

var (
	mu      sync.Mutex
	clients = map[string]*instance{}
	next    = 0
)

func configure(p *jsonl.Params) (map[string]any, error) {
	c := &http.Client{} // Transport nil: http.DefaultTransport
	if p.Timeouts.Total > 0 {
		c.Timeout = time.Duration(p.Timeouts.Total) * time.Millisecond
	}
	mu.Lock()
	defer mu.Unlock()
	next++
	handle := fmt.Sprintf("c%d", next)
	clients[handle] = &instance{client: c, base: strings.TrimRight(p.BaseURL, "/"), token: p.Token}
	return map[string]any{"client": handle}, nil
}

func lookup(handle string) (*instance, error) {
	mu.Lock()
	defer mu.Unlock()
	if c, ok := clients[handle]; ok {
		return c, nil
	}
	return nil, jsonl.Config("unknown client handle")
}

// classify maps a net/http error to the protocol's error types.
func classify(err error) *jsonl.Error {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var nerr net.Error
	switch {
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
	target := c.base + p.Path
	if len(p.Query) > 0 {
		q := url.Values{}
		for k, v := range p.Query {
			q.Set(k, v)
		}
		target += "?" + q.Encode()
	}
	var body io.Reader
	if p.HasJSON() {
		body = bytes.NewReader(p.JSON)
	}
	req, err := http.NewRequest(p.Method, target, body)
	if err != nil {
		return nil, jsonl.Fail("config", err)
	}
	if p.HasJSON() {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, classify(err)
	}
	headers := map[string]string{}
	for k, v := range resp.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return jsonl.Result(resp.StatusCode, headers, data, json.Unmarshal)
}

func closeClient(p *jsonl.Params) (map[string]any, error) {
	c, err := lookup(p.Client)
	if err != nil {
		return nil, err
	}
	c.client.CloseIdleConnections()
	mu.Lock()
	delete(clients, p.Client)
	mu.Unlock()
	return map[string]any{}, nil
}

func main() {
	// net/http's only logging switch is GODEBUG=http2debug=2, read once at start: turn it on by
	// re-executing this program with it (it logs nothing over HTTP/1.1).
	if !strings.Contains(os.Getenv("GODEBUG"), "http2debug=2") {
		env := append(os.Environ(), "GODEBUG=http2debug=2")
		if exe, err := os.Executable(); err == nil {
			if err := syscall.Exec(exe, os.Args, env); err != nil {
				fmt.Fprintln(os.Stderr, "re-exec with GODEBUG failed:", err)
			}
		}
	}
	jsonl.Serve(map[string]jsonl.Op{
		"hello": func(*jsonl.Params) (map[string]any, error) {
			return map[string]any{"protocol": 1, "name": "net/http", "version": runtime.Version(),
				"language": "go", "capabilities": []string{"http", "tls"}}, nil
		},
		"configure": configure,
		"request":   request,
		"close":     closeClient,
	})
}
