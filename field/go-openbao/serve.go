// JSON Lines plumbing of this driver (docs/PROTOCOL.md): each request line on its own goroutine, one lock
// around stdout, the secrets profile's params. Nothing here touches the client.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// params are the members of a request line this driver reads.
type params struct {
	Client  string `json:"client"`
	Secrets struct {
		VaultAddr string `json:"vault_addr"`
		Token     string `json:"token"`
		WrapTTL   int    `json:"wrap_ttl_s"`
	} `json:"secrets"`
	Timeouts struct {
		Connect int `json:"connect_ms"`
		Read    int `json:"read_ms"`
		Total   int `json:"total_ms"`
	} `json:"timeouts"`
	MaxRetries *int   `json:"max_retries"`
	Debug      bool   `json:"debug"`
	URI        string `json:"uri"`
	Reveal     bool   `json:"reveal"`
}

type op func(p *params) (map[string]any, error)

// sdkError is a protocol SdkError.
type sdkError struct {
	Type, Code, Message, Rendered string
	Status                        int
}

func (e *sdkError) Error() string { return e.Type + ": " + e.Message }

func (e *sdkError) toMap() map[string]any {
	m := map[string]any{"type": e.Type}
	if e.Code != "" {
		m["code"] = e.Code
	}
	if e.Message != "" {
		m["message"] = e.Message
	}
	if e.Rendered != "" {
		m["rendered"] = e.Rendered
	}
	if e.Status != 0 {
		m["status"] = e.Status
	}
	return m
}

// fail is a typed error from a client error: its Go type as message, err.Error() untouched as rendered.
func fail(typ string, err error) *sdkError {
	return &sdkError{Type: typ, Message: fmt.Sprintf("%T", err), Rendered: err.Error()}
}

// stderrLogger is the client's retryablehttp.LeveledLogger when debug is on.
type stderrLogger struct {
	l interface{ Printf(string, ...any) }
}

var _ retryablehttp.LeveledLogger = stderrLogger{}

func (s stderrLogger) log(level, msg string, kv []any) { s.l.Printf("[%s] %s %v", level, msg, kv) }
func (s stderrLogger) Error(msg string, kv ...any)     { s.log("ERROR", msg, kv) }
func (s stderrLogger) Info(msg string, kv ...any)      { s.log("INFO", msg, kv) }
func (s stderrLogger) Debug(msg string, kv ...any)     { s.log("DEBUG", msg, kv) }
func (s stderrLogger) Warn(msg string, kv ...any)      { s.log("WARN", msg, kv) }

// canonicalJSON is JSON with keys sorted and no whitespace, HTML characters unescaped (the kit's digest form).
func canonicalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeScalar(b, k); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeCanonical(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return writeScalar(b, x)
	}
	return nil
}

func writeScalar(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

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

func handle(ops map[string]op, id int64, name string, raw []byte) {
	defer func() {
		if r := recover(); r != nil {
			write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "other", "message": "panic"}})
		}
	}()
	f, ok := ops[name]
	if !ok {
		write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "unsupported"}})
		return
	}
	var p params
	if err := json.Unmarshal(raw, &p); err != nil {
		write(map[string]any{"id": id, "ok": false, "error": map[string]any{"type": "config", "message": "invalid params"}})
		return
	}
	res, err := f(&p)
	if err != nil {
		e, ok := err.(*sdkError)
		if !ok {
			e = fail("other", err)
		}
		write(map[string]any{"id": id, "ok": false, "error": e.toMap()})
		return
	}
	write(map[string]any{"id": id, "ok": true, "result": res})
}

// serve reads request lines until stdin closes or `shutdown`, running each on its own goroutine.
func serve(ops map[string]op) {
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
		go func(id int64, name string) { defer inflight.Done(); handle(ops, id, name, raw) }(*m.ID, m.Op)
	}
	drain(time.Second)
	os.Exit(0)
}
