package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSigned returns a certificate for 127.0.0.1 and its key, both PEM.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), pool
}

// lines collects what the front reports.
type lines struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) events(t *testing.T) []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []event
	for _, s := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var e event
		if s == "" || json.Unmarshal([]byte(s), &e) != nil || e.Event == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// start runs a front in front of an upstream that answers "pong" to anything.
func start(t *testing.T) (*front, *lines, *x509.CertPool) {
	t.Helper()
	certPEM, keyPEM, pool := selfSigned(t)
	base, err := serverConfig(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4)
				if _, err := io.ReadFull(c, buf); err == nil {
					_, _ = c.Write([]byte("pong"))
				}
			}()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := &lines{}
	f := &front{ln: ln, base: base, upstream: up.Addr().String(), out: &emitter{enc: json.NewEncoder(out)}}
	go f.accept()
	return f, out, pool
}

func dial(f *front, pool *x509.CertPool, groups []tls.CurveID) (*tls.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", f.ln.Addr().String(), &tls.Config{
		RootCAs:          pool,
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: groups,
	})
}

// waitEvents waits until n events were reported.
func waitEvents(t *testing.T, out *lines, n int) []event {
	t.Helper()
	for i := 0; i < 200; i++ {
		if ev := out.events(t); len(ev) >= n {
			return ev
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("expected %d events, got %v", n, out.events(t))
	return nil
}

func TestClassicalClientIsRefused(t *testing.T) {
	f, out, pool := start(t)
	for _, groups := range [][]tls.CurveID{{tls.X25519}, {tls.CurveP256, tls.CurveP384}} {
		if c, err := dial(f, pool, groups); err == nil {
			c.Close()
			t.Fatalf("a client offering only %v completed a handshake", groups)
		}
	}
	ev := waitEvents(t, out, 2)
	for _, e := range ev {
		if e.Event != "tls_error" || e.Group != "" {
			t.Fatalf("expected tls_error events, got %+v", e)
		}
	}
	if strings.Join(ev[0].OfferedGroups, ",") != "X25519" {
		t.Fatalf("offered groups not reported: %+v", ev[0])
	}
}

func TestHybridClientCompletesAndIsPiped(t *testing.T) {
	f, out, pool := start(t)
	c, err := dial(f, pool, []tls.CurveID{tls.X25519, tls.X25519MLKEM768})
	if err != nil {
		t.Fatalf("a client offering X25519MLKEM768 was refused: %v", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "pong" {
		t.Fatalf("plaintext not piped: %q %v", buf, err)
	}
	ev := waitEvents(t, out, 1)
	if ev[0].Event != "handshake" || ev[0].Group != "X25519MLKEM768" || ev[0].Version != "TLS 1.3" {
		t.Fatalf("unexpected event %+v", ev[0])
	}
}

func TestProbeClassicalIsRefusedAndMarked(t *testing.T) {
	f, out, _ := start(t)
	p := f.probeClassical()
	if !p.Refused {
		t.Fatalf("the classical probe was not refused: %+v", p)
	}
	ev := waitEvents(t, out, 1)
	if !ev[0].Probe || ev[0].Event != "tls_error" {
		t.Fatalf("the probe's connection is not marked: %+v", ev[0])
	}
}

func TestReadConfigRejectsBadInput(t *testing.T) {
	for _, in := range []string{"", "{}", `{"upstream_port": 70000}`, "not json\n"} {
		if _, err := readConfig(strings.NewReader(in)); err == nil {
			t.Fatalf("accepted %q", in)
		}
	}
}
