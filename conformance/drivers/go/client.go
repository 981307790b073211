// A small RON API client on net/http that follows the SDK security checklist (seed 000):
// HTTPS unless AllowInsecureHTTP, verified TLS (optionally against a given CA), connect/read/total
// timeouts, bounded jittered retries only for GET or keyed writes, a stable Idempotency-Key,
// Retry-After honoured and capped, Problem parsing, a response size cap, a concurrency limit and
// bounded SSE. The token only travels in the Authorization header, never in a log, error or URL.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure one client; zero values get safe defaults.
type Options struct {
	BaseURL, Token, CACertPEM string
	TokenProvider             func() string
	AllowInsecureHTTP         bool
	Connect, Read, Total      time.Duration
	MaxRetries                int
	MaxResponseBytes          int64
	MaxConcurrency            int
	Logger                    *log.Logger
}

// Client is one isolated SDK instance.
type Client struct {
	o      Options
	http   *http.Client
	sem    chan struct{}
	mu     sync.Mutex
	closed bool
}

const maxRetryAfter = 30 * time.Second

// NewClient validates the options and builds the transport.
func NewClient(o Options) (*Client, error) {
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &RonError{Type: "config", Message: "base_url must be an https:// URL"}
	}
	if u.Scheme == "http" && !o.AllowInsecureHTTP {
		return nil, &RonError{Type: "insecure", Message: "plain http:// needs allow_insecure_http"}
	}
	if o.Token == "" && o.TokenProvider == nil {
		return nil, &RonError{Type: "config", Message: "a token or a token provider is required"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Connect, 3*time.Second)
	def(&o.Read, 10*time.Second)
	def(&o.Total, 30*time.Second)
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 16 << 20
	}
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = 64
	}
	o.MaxRetries = min(max(o.MaxRetries, 0), 10)
	if o.Logger == nil {
		o.Logger = log.New(io.Discard, "", 0)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CACertPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(o.CACertPEM)) {
			return nil, &RonError{Type: "config", Message: "ca_cert_pem holds no certificate"}
		}
		tlsConf.RootCAs = pool
	}
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: o.Connect}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.Connect,
		ResponseHeaderTimeout: o.Read,
		MaxConnsPerHost:       o.MaxConcurrency,
	}
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // never carry credentials anywhere else
	}}
	return &Client{o: o, http: hc, sem: make(chan struct{}, o.MaxConcurrency)}, nil
}

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (c *Client) auth() (string, error) {
	c.mu.Lock()
	tok, prov, closed := c.o.Token, c.o.TokenProvider, c.closed
	c.mu.Unlock()
	if closed {
		return "", &RonError{Type: "config", Message: "client is closed"}
	}
	if prov != nil {
		tok = prov()
	}
	if tok == "" {
		return "", &RonError{Type: "config", Message: "no token available"}
	}
	return "Bearer " + tok, nil
}

func backoff(attempt int) time.Duration {
	ceiling := min(5*time.Second, 200*time.Millisecond<<attempt)
	return ceiling/2 + time.Duration(mrand.Int64N(int64(ceiling/2)+1)) // grows with attempt, jittered
}

// Result is a successful response.
type Result struct {
	Status  int
	JSON    any
	Headers map[string]string
}

// Request sends one logical request with bounded retries.
func (c *Client) Request(method, path string, query map[string]string, body []byte, idempotent bool,
	idemKey string, audit map[string]string) (*Result, error) {
	method = strings.ToUpper(method)
	safe := method == "GET" || method == "HEAD" || method == "OPTIONS"
	h := http.Header{"Accept": {"application/json"}}
	if idemKey == "" && idempotent && !safe {
		idemKey = uuid4()
	}
	if idemKey != "" {
		h.Set("Idempotency-Key", idemKey) // stable across every retry
	}
	for k, v := range audit {
		h.Set("X-Audit-"+k, v)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	q := url.Values{}
	for k, v := range query {
		q.Set(k, v)
	}
	target := strings.TrimRight(c.o.BaseURL, "/") + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.o.Total)
	defer cancel()
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	for attempt := 0; ; attempt++ {
		res, wait, err := c.attempt(ctx, method, target, h, body, attempt)
		if err == nil {
			return res, nil
		}
		dl, _ := ctx.Deadline()
		if !(safe || idemKey != "") || attempt >= c.o.MaxRetries || wait < 0 || time.Now().Add(wait).After(dl) {
			return nil, err
		}
		c.o.Logger.Printf("retrying %s %s in %v (attempt %d)", method, path, wait, attempt+1)
		time.Sleep(wait)
	}
}

type idleReader struct {
	r     io.Reader
	timer *time.Timer
	idle  time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	i.timer.Reset(i.idle)
	return n, err
}

// attempt returns the result, or an error and the wait before a retry (< 0: do not retry).
func (c *Client) attempt(parent context.Context, method, target string, h http.Header, body []byte,
	attempt int) (*Result, time.Duration, error) {
	authz, err := c.auth()
	if err != nil {
		return nil, -1, err
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, -1, &RonError{Type: "config", Message: "invalid request"}
	}
	req.Header = h.Clone()
	req.Header.Set("Authorization", authz)
	rid := uuid4()
	req.Header.Set("X-Request-ID", rid)
	start := time.Now()
	c.o.Logger.Printf("-> %s %s attempt=%d request_id=%s", method, req.URL.Path, attempt, rid)
	resp, err := c.http.Do(req)
	if err != nil {
		e := classify(err, parent)
		if e.Type == "insecure" {
			return nil, -1, e
		}
		return nil, backoff(attempt), e
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.o.MaxResponseBytes {
		return nil, -1, &RonError{Type: "too_large", Message: "response exceeds the size limit", Status: resp.StatusCode}
	}
	idle := time.AfterFunc(c.o.Read, cancel)
	defer idle.Stop()
	data, err := io.ReadAll(io.LimitReader(&idleReader{resp.Body, idle, c.o.Read}, c.o.MaxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, backoff(attempt), &RonError{Type: "timeout", Message: "timed out reading the body"}
		}
		return nil, backoff(attempt), classify(err, parent)
	}
	if int64(len(data)) > c.o.MaxResponseBytes {
		return nil, -1, &RonError{Type: "too_large", Message: "response exceeds the size limit", Status: resp.StatusCode}
	}
	c.o.Logger.Printf("<- %s %s status=%d in %v", method, req.URL.Path, resp.StatusCode, time.Since(start))
	if resp.StatusCode >= 400 {
		perr := ParseProblem(resp.StatusCode, resp.Header.Get("Content-Type"), data, resp.Header.Get("X-Request-ID"))
		switch resp.StatusCode {
		case 429, 500, 502, 503, 504:
			ra, ok := retryAfter(resp.Header.Get("Retry-After"))
			if ok && ra > maxRetryAfter {
				return nil, -1, perr // fail fast on an absurd Retry-After
			}
			return nil, max(ra, backoff(attempt)), perr
		}
		return nil, -1, perr
	}
	out := &Result{Status: resp.StatusCode, Headers: map[string]string{}}
	for k := range resp.Header {
		out.Headers[strings.ToLower(k)] = resp.Header.Get(k)
	}
	if len(data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // keep big integers exact
		if err := dec.Decode(&out.JSON); err != nil {
			return nil, -1, &RonError{Type: "transport", Message: "response body is not valid JSON", Status: resp.StatusCode}
		}
	}
	return out, 0, nil
}

func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t)), true
	}
	return 0, false
}

// Close refuses later requests, drops the token and closes idle connections.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.Zeroize()
	c.http.CloseIdleConnections()
}

// Zeroize drops every reference to the token (best effort: Go strings are immutable).
func (c *Client) Zeroize() {
	c.mu.Lock()
	c.o.Token, c.o.TokenProvider = "", nil
	c.mu.Unlock()
}
