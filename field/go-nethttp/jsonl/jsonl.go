// Package jsonl is the protocol plumbing shared by the Go field drivers (docs/PROTOCOL.md):
// JSON Lines over stdio, each request line on its own goroutine, one lock around stdout.
// It also holds the one mapping rule of an HTTP result that every field driver follows.
// Nothing here touches an HTTP client.
package jsonl

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// Params are the members of a request line that the field drivers read.
type Params struct {
	Client   string `json:"client"`
	BaseURL  string `json:"base_url"`
	Token    string `json:"token"`
	Timeouts struct {
		Connect int `json:"connect_ms"`
		Read    int `json:"read_ms"`
		Total   int `json:"total_ms"`
	} `json:"timeouts"`
	MaxRetries *int              `json:"max_retries"`
	MaxBytes   int               `json:"max_response_bytes"`
	Debug      bool              `json:"debug"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Query      map[string]string `json:"query"`
	JSON       json.RawMessage   `json:"json"`
}

// HasJSON tells whether the request carries a JSON body.
func (p *Params) HasJSON() bool { return len(p.JSON) > 0 }

// Error is a protocol SdkError.
type Error struct {
	Type     string
	Status   int
	Message  string
	Rendered string
	Fields   map[string]any // canonical Problem members
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func (e *Error) toMap() map[string]any {
	m := map[string]any{"type": e.Type}
	for k, v := range e.Fields {
		m[k] = v
	}
	if e.Message != "" {
		if _, set := m["message"]; !set {
			m["message"] = e.Message
		}
	}
	if e.Rendered != "" {
		m["rendered"] = e.Rendered
	}
	if e.Status != 0 {
		m["status"] = e.Status
	}
	return m
}

// Fail maps a client error to a typed SdkError: its Go type as message, err.Error() untouched as rendered.
func Fail(typ string, err error) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf("%T", err), Rendered: err.Error()}
}

// Config is the error for an op the driver cannot run (an unknown handle).
func Config(msg string) *Error { return &Error{Type: "config", Message: msg} }

var canonical = map[string]func(any) bool{
	"code":           isString,
	"kind":           isString,
	"message":        isString,
	"correlation_id": isString,
	"details":        func(v any) bool { _, ok := v.(map[string]any); return ok },
}

func isString(v any) bool { _, ok := v.(string); return ok }

// Result maps a response the client returned: an error status (>= 400) is `problem` with the
// canonical Problem members of the body when it decodes as JSON, `transport` when it does not;
// a 2xx/3xx body that does not decode is `transport` too. `decode` is the client's own JSON
// decoding (or the language's standard one); its error is rendered untouched.
func Result(status int, headers map[string]string, body []byte, decode func([]byte, any) error) (map[string]any, error) {
	var doc any
	var derr error
	if len(body) > 0 {
		derr = decode(body, &doc)
	}
	if status >= 400 {
		if derr != nil {
			e := Fail("transport", derr)
			e.Status = status
			return nil, e
		}
		e := &Error{Type: "problem", Status: status, Message: fmt.Sprintf("HTTP %d", status),
			Rendered: fmt.Sprintf("HTTP %d", status), Fields: map[string]any{}}
		if obj, ok := doc.(map[string]any); ok {
			for k, valid := range canonical {
				if v, has := obj[k]; has && valid(v) {
					e.Fields[k] = v
				}
			}
		}
		return nil, e
	}
	if derr != nil {
		e := Fail("transport", derr)
		e.Status = status
		return nil, e
	}
	out := map[string]any{"status": status, "headers": headers}
	if len(body) > 0 {
		out["json"] = doc
	}
	return out, nil
}

// Op runs one op with its raw params.
type Op func(p *Params) (map[string]any, error)

var outMu sync.Mutex

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

func handle(ops map[string]Op, id int64, op string, raw []byte) {
	defer func() {
		if r := recover(); r != nil {
			write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "other", "message": "panic"}})
		}
	}()
	f, ok := ops[op]
	if !ok {
		write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "unsupported"}})
		return
	}
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		write(map[string]any{"id": id, "ok": false, "error": Config("invalid params").toMap()})
		return
	}
	res, err := f(&p)
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			e = Fail("other", err)
		}
		write(map[string]any{"id": id, "ok": false, "error": e.toMap()})
		return
	}
	write(map[string]any{"id": id, "ok": true, "result": res})
}

// Serve reads request lines until stdin closes or `shutdown`, running each on its own goroutine.
func Serve(ops map[string]Op) {
	var inflight sync.WaitGroup
	drain := func(limit time.Duration) {
		done := make(chan struct{})
		go func() { inflight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(limit):
		}
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 32<<20)
	for sc.Scan() {
		raw := append([]byte(nil), sc.Bytes()...)
		var m struct {
			ID *int64 `json:"id"`
			Op string `json:"op"`
		}
		if json.Unmarshal(raw, &m) != nil || m.ID == nil {
			continue
		}
		if m.Op == "shutdown" {
			drain(500 * time.Millisecond)
			write(map[string]any{"id": *m.ID, "ok": true, "result": map[string]any{}})
			os.Exit(0)
		}
		inflight.Add(1)
		go func(id int64, op string) { defer inflight.Done(); handle(ops, id, op, raw) }(*m.ID, m.Op)
	}
	drain(time.Second)
	os.Exit(0)
}
