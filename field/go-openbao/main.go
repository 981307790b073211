// Field driver (secrets profile, KV only): the OpenBao Go API client (github.com/openbao/openbao/api/v2)
// with its defaults, over the kit's JSON Lines protocol (serve.go). Wiring, and nothing else:
// api.DefaultConfig() with Address = vault_addr, Timeout = the kit's total (or connect + read),
// MaxRetries = max_retries, and SetToken(token); the CA comes from SSL_CERT_FILE, which crypto/x509
// reads itself (VAULT_CACERT is not set). get_secret splits the secret URI the way an application would
// (mount, path, version, fragment) and calls KVv2(mount).Get / GetVersion; with wrap_ttl_s it sets a
// wrapping lookup function for GETs (what the CLI's -wrap-ttl does), reads through Logical() and unwraps
// with Logical().Unwrap. debug: true gives the client a stderr logger (its retryable HTTP client logs
// every request and retry). The client guards nothing: what it sends is what the kit judges.
// Build: go build -o bin/driver . (field.json's setup does it).
package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openbao/openbao/api/v2"
)

const version = "v2.7.1" // the version pinned in go.mod

type instance struct {
	c       *api.Client
	wrapTTL int
}

var (
	mu      sync.Mutex
	clients = map[string]*instance{}
	next    = 0
)

func configure(p *params) (map[string]any, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fail("config", cfg.Error)
	}
	cfg.Address = p.Secrets.VaultAddr
	t := p.Timeouts
	if t.Total > 0 {
		cfg.Timeout = time.Duration(t.Total) * time.Millisecond
	} else if t.Read > 0 {
		cfg.Timeout = time.Duration(t.Read+t.Connect) * time.Millisecond
	}
	if p.MaxRetries != nil {
		cfg.MaxRetries = *p.MaxRetries
	}
	if p.Debug {
		cfg.Logger = stderrLogger{log.New(os.Stderr, "openbao-api ", log.LstdFlags|log.Lmicroseconds)}
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, fail("config", err)
	}
	c.SetToken(p.Secrets.Token)
	if ttl := p.Secrets.WrapTTL; ttl > 0 {
		c.SetWrappingLookupFunc(func(op, _ string) string {
			if op == "GET" {
				return fmt.Sprintf("%ds", ttl)
			}
			return ""
		})
	}
	mu.Lock()
	defer mu.Unlock()
	next++
	h := fmt.Sprintf("c%d", next)
	clients[h] = &instance{c: c, wrapTTL: p.Secrets.WrapTTL}
	return map[string]any{"client": h}, nil
}

// where is a secret URI split the way an application would: mount, path, version, fragment.
type where struct {
	mount, path, fragment string
	version               int
	pinned, hasFragment   bool
}

func splitURI(uri string) (where, error) {
	var w where
	_, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return w, fmt.Errorf("not a secret URI: no ://")
	}
	cut := len(rest)
	if i := strings.IndexAny(rest, "#?"); i >= 0 {
		cut = i
	}
	loc, tail := rest[:cut], rest[cut:]
	query := ""
	for _, part := range strings.Split(strings.NewReplacer("?", "\x00?", "#", "\x00#").Replace(tail), "\x00") {
		if strings.HasPrefix(part, "#") {
			w.fragment, w.hasFragment = part[1:], true
		} else if strings.HasPrefix(part, "?") {
			query = part[1:]
		}
	}
	w.mount, w.path, _ = strings.Cut(loc, "/")
	q, err := url.ParseQuery(query)
	if err != nil {
		return w, err
	}
	if v := q.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return w, err
		}
		w.version, w.pinned = n, true
	}
	return w, nil
}

// read returns the KV data and its version as the client gives them.
func read(ctx context.Context, in *instance, w where) (map[string]any, any, error) {
	if in.wrapTTL == 0 {
		kv := in.c.KVv2(w.mount)
		var s *api.KVSecret
		var err error
		if w.pinned {
			s, err = kv.GetVersion(ctx, w.path, w.version)
		} else {
			s, err = kv.Get(ctx, w.path)
		}
		if err != nil {
			return nil, nil, err
		}
		var v any
		if s.VersionMetadata != nil {
			v = s.VersionMetadata.Version
		}
		return s.Data, v, nil
	}
	// the KV helper does not unwrap: the same GET through Logical(), then Unwrap
	var q map[string][]string
	if w.pinned {
		q = map[string][]string{"version": {strconv.Itoa(w.version)}}
	}
	wrapped, err := in.c.Logical().ReadWithDataWithContext(ctx, w.mount+"/data/"+w.path, q)
	if err != nil {
		return nil, nil, err
	}
	if wrapped == nil || wrapped.WrapInfo == nil {
		return nil, nil, api.ErrSecretNotFound
	}
	s, err := in.c.Logical().UnwrapWithContext(ctx, wrapped.WrapInfo.Token)
	if err != nil {
		return nil, nil, err
	}
	if s == nil {
		return nil, nil, api.ErrSecretNotFound
	}
	data, _ := s.Data["data"].(map[string]any)
	var v any
	if md, ok := s.Data["metadata"].(map[string]any); ok {
		v = md["version"]
	}
	return data, v, nil
}

func getSecret(p *params) (map[string]any, error) {
	mu.Lock()
	in := clients[p.Client]
	mu.Unlock()
	if in == nil {
		return nil, &sdkError{Type: "config", Message: "unknown client handle"}
	}
	w, err := splitURI(p.URI)
	if err != nil {
		return nil, fail("config", err)
	}
	data, v, err := read(context.Background(), in, w)
	if err != nil {
		return nil, typed(err)
	}
	var value any = data
	if data == nil {
		value = nil
	}
	if w.hasFragment {
		x, ok := data[w.fragment]
		if !ok {
			return nil, &sdkError{Type: "secret", Code: "not_found", Message: "no key " + w.fragment + " in the data"}
		}
		value = x
	}
	canon, err := canonicalJSON(value)
	if err != nil {
		return nil, fail("other", err)
	}
	sum := sha256.Sum256(canon)
	out := map[string]any{"version": v, "digest": hex.EncodeToString(sum[:])}
	if p.Reveal {
		out["value"] = value
	}
	return out, nil
}

var codes = map[int]string{404: "not_found", 403: "permission_denied", 503: "sealed"}

// typed maps the client's errors: a ResponseError by its status, ErrSecretNotFound as not_found,
// TLS failures as insecure, timeouts as timeout, other transport failures as network.
func typed(err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		code, ok := codes[re.StatusCode]
		if !ok {
			code = "provider"
		}
		e := fail("secret", err)
		e.Code, e.Status = code, re.StatusCode
		return e
	}
	if errors.Is(err, api.ErrSecretNotFound) {
		e := fail("secret", err)
		e.Code = "not_found"
		return e
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &ve) {
		return fail("insecure", err)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fail("timeout", err)
	}
	var ue *url.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return fail("network", err)
	}
	e := fail("secret", err)
	e.Code = "provider"
	return e
}

func main() {
	serve(map[string]op{
		"hello": func(*params) (map[string]any, error) {
			return map[string]any{"protocol": 1, "name": "openbao-api", "version": version, "language": "go",
				"capabilities": []string{"secrets_kv"}}, nil
		},
		"configure":  configure,
		"get_secret": getSecret,
		"close": func(p *params) (map[string]any, error) {
			mu.Lock()
			defer mu.Unlock()
			delete(clients, p.Client)
			return map[string]any{}, nil
		},
	})
}
