// Conformance-kit driver for the Go client: JSON Lines over stdio (docs/PROTOCOL.md).
// Each request line runs on its own goroutine (pipelining); a mutex keeps stdout lines whole.
// Build: go build -o ron-driver . — run: ./ron-driver
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"sync"
	"time"
)

var capabilities = []string{"http", "tls", "retry", "idempotency", "problem", "token_provider",
	"concurrency", "sse", "zeroize"}

var (
	outMu   sync.Mutex
	stateMu sync.Mutex
	clients = map[string]*Client{}
	tokens  = map[string]string{} // handle -> current token, read by that client's provider
	nextID  = 0
	// ops still running, awaited (briefly) by shutdown
	inflight sync.WaitGroup
)

type message struct {
	ID *int64 `json:"id"`
	Op string `json:"op"`
}

type params struct {
	Client  string `json:"client"`
	BaseURL string `json:"base_url"`
	Token   string `json:"token"`
	TokProv bool   `json:"token_provider"`
	CA      string `json:"ca_cert_pem"`
	CAFile  string `json:"ca_cert_file"`
	Insec   bool   `json:"allow_insecure_http"`
	Tmo     struct {
		Connect int `json:"connect_ms"`
		Read    int `json:"read_ms"`
		Total   int `json:"total_ms"`
	} `json:"timeouts"`
	MaxRetries  *int              `json:"max_retries"`
	MaxBytes    int64             `json:"max_response_bytes"`
	MaxConc     int               `json:"max_concurrency"`
	Debug       bool              `json:"debug"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Query       map[string]string `json:"query"`
	JSON        json.RawMessage   `json:"json"`
	Idempotent  bool              `json:"idempotent"`
	IdemKey     string            `json:"idempotency_key"`
	Audit       map[string]string `json:"audit_context"`
	MaxEvents   int               `json:"max_events"`
	MaxDuration int               `json:"max_duration_ms"`
	Status      int               `json:"status"`
	ContentType string            `json:"content_type"`
	Body        string            `json:"body"`
}

func write(v map[string]any) {
	line, err := json.Marshal(v)
	if err != nil {
		line, _ = json.Marshal(map[string]any{"id": v["id"], "ok": false,
			"error": map[string]any{"type": "other", "message": "unencodable result"}})
	}
	outMu.Lock()
	defer outMu.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

func client(handle string) (*Client, error) {
	stateMu.Lock()
	defer stateMu.Unlock()
	if c, ok := clients[handle]; ok {
		return c, nil
	}
	return nil, &RonError{Type: "config", Message: "unknown client handle"}
}

func configure(p *params) (map[string]any, error) {
	stateMu.Lock()
	nextID++
	handle := fmt.Sprintf("c%d", nextID)
	stateMu.Unlock()
	o := Options{BaseURL: p.BaseURL, Token: p.Token, CACertPEM: p.CA, AllowInsecureHTTP: p.Insec,
		Connect: time.Duration(p.Tmo.Connect) * time.Millisecond, Read: time.Duration(p.Tmo.Read) * time.Millisecond,
		Total: time.Duration(p.Tmo.Total) * time.Millisecond, MaxRetries: 3, MaxResponseBytes: p.MaxBytes,
		MaxConcurrency: p.MaxConc}
	if o.CACertPEM == "" && p.CAFile != "" {
		pem, err := os.ReadFile(p.CAFile)
		if err != nil {
			return nil, &RonError{Type: "config", Message: "ca_cert_file cannot be read"}
		}
		o.CACertPEM = string(pem)
	}
	if p.MaxRetries != nil {
		o.MaxRetries = *p.MaxRetries
	}
	if p.Debug {
		o.Logger = log.New(os.Stderr, "ronclient-go ", log.LstdFlags|log.Lmicroseconds)
	}
	if p.TokProv {
		stateMu.Lock()
		tokens[handle] = p.Token
		stateMu.Unlock()
		o.Token = ""
		o.TokenProvider = func() string {
			stateMu.Lock()
			defer stateMu.Unlock()
			return tokens[handle]
		}
	}
	c, err := NewClient(o)
	if err != nil {
		return nil, err
	}
	stateMu.Lock()
	clients[handle] = c
	stateMu.Unlock()
	return map[string]any{"client": handle}, nil
}

func dispatch(op string, p *params) (map[string]any, error) {
	switch op {
	case "hello":
		return map[string]any{"protocol": 1, "name": "ronclient-go", "version": "0.1.0", "language": "go",
			"capabilities": capabilities}, nil
	case "configure":
		return configure(p)
	case "request":
		c, err := client(p.Client)
		if err != nil {
			return nil, err
		}
		var body []byte
		if len(p.JSON) > 0 && string(p.JSON) != "null" {
			body = p.JSON
		}
		res, err := c.Request(p.Method, p.Path, p.Query, body, p.Idempotent, p.IdemKey, p.Audit)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"status": res.Status, "headers": res.Headers}
		if res.JSON != nil {
			out["json"] = res.JSON
		}
		return out, nil
	case "subscribe":
		c, err := client(p.Client)
		if err != nil {
			return nil, err
		}
		if p.MaxEvents <= 0 {
			p.MaxEvents = 1000
		}
		if p.MaxDuration <= 0 {
			p.MaxDuration = 60000
		}
		return c.Subscribe(p.Path, p.MaxEvents, time.Duration(p.MaxDuration)*time.Millisecond), nil
	case "rotate_token":
		stateMu.Lock()
		defer stateMu.Unlock()
		if _, ok := tokens[p.Client]; !ok {
			return nil, &RonError{Type: "config", Message: "client was not configured with a token provider"}
		}
		tokens[p.Client] = p.Token
		return map[string]any{}, nil
	case "parse_problem":
		return map[string]any{"problem": ParseProblem(p.Status, p.ContentType, []byte(p.Body), "").ToMap()}, nil
	case "close", "zeroize":
		c, err := client(p.Client)
		if err != nil {
			return nil, err
		}
		if op == "close" {
			c.Close()
		} else {
			c.Zeroize()
		}
		stateMu.Lock()
		delete(tokens, p.Client)
		stateMu.Unlock()
		return map[string]any{}, nil
	}
	return nil, &RonError{Type: "unsupported", Message: "op " + op + " is not supported"}
}

func handle(id int64, op string, raw []byte) {
	defer func() {
		if r := recover(); r != nil { // never echo the panic value: it could hold request data
			write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "other", "message": "panic"}})
		}
	}()
	var p params
	if err := json.Unmarshal(raw, &p); err != nil {
		write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "config", "message": "invalid params"}})
		return
	}
	res, err := dispatch(op, &p)
	if err != nil {
		e, ok := err.(*RonError)
		if !ok {
			e = &RonError{Type: "other", Message: fmt.Sprintf("%T", err)}
		}
		write(map[string]any{"id": id, "ok": false, "error": e.ToMap()})
		return
	}
	write(map[string]any{"id": id, "ok": true, "result": res})
}

// drain waits (at most limit) for in-flight ops to answer.
func drain(limit time.Duration) {
	done := make(chan struct{})
	go func() { inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
	}
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 32<<20)
	for sc.Scan() {
		raw := append([]byte(nil), sc.Bytes()...)
		var m message
		if json.Unmarshal(raw, &m) != nil || m.ID == nil {
			continue
		}
		if m.Op == "shutdown" {
			drain(500 * time.Millisecond)
			write(map[string]any{"id": *m.ID, "ok": true, "result": map[string]any{}})
			os.Exit(0)
		}
		inflight.Add(1)
		go func() { defer inflight.Done(); handle(*m.ID, m.Op, raw) }()
	}
	drain(time.Second) // stdin closed: let in-flight ops answer (bounded), then exit
	os.Exit(0)
}
