// Command pq_server is the conformance kit's post-quantum TLS front for the check
// sdk.tls.pq-hybrid (seed 000 §9, "PQ toggle hooks"): a TLS 1.3 server on 127.0.0.1 that accepts
// only the hybrid key exchange group X25519MLKEM768 and pipes each connection's plaintext to a
// plain TCP listener of the kit on 127.0.0.1.
//
// The kit writes one config object as a line on stdin:
//
//	{"cert_chain_pem": "...", "key_pem": "...", "upstream_port": 1234}
//
// The server listens on 127.0.0.1:0, then checks itself: a client offering only X25519 (a
// classical client) must be refused. It prints one line with the port and that probe's outcome,
//
//	{"port":N,"classical_probe":{"refused":true,"error":"..."}}
//
// then one line per connection:
//
//	{"event":"handshake","group":"X25519MLKEM768","version":"TLS 1.3","cipher":"...","alpn":"http/1.1","offered_groups":[...]}
//	{"event":"tls_error","message":"...","offered_groups":[...]}
//
// (the probe's own connection is marked "probe":true). It exits when stdin closes (the kit went
// away). Standard library only; the key arrives over stdin and never touches the disk.
// `pq_server -version` prints the build's version (the kit stamps a hash of this source).
package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// version is set by the kit's build (-ldflags "-X main.version=<source hash>").
var version = "dev"

// config is the one line the kit writes on stdin.
type config struct {
	CertChainPEM string `json:"cert_chain_pem"`
	KeyPEM       string `json:"key_pem"`
	UpstreamPort int    `json:"upstream_port"`
}

// event is one line of the per-connection report.
type event struct {
	Event         string   `json:"event"`
	Group         string   `json:"group,omitempty"`
	Version       string   `json:"version,omitempty"`
	Cipher        string   `json:"cipher,omitempty"`
	ALPN          string   `json:"alpn,omitempty"`
	OfferedGroups []string `json:"offered_groups"`
	Message       string   `json:"message,omitempty"`
	Probe         bool     `json:"probe,omitempty"`
}

// probeResult is the outcome of the classical client's attempt.
type probeResult struct {
	Refused bool   `json:"refused"`
	Error   string `json:"error,omitempty"`
}

const (
	handshakeTimeout = 10 * time.Second
	maxConns         = 64
	maxConfigBytes   = 1 << 20
)

// emitter writes JSON lines, one whole line at a time.
type emitter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (e *emitter) emit(v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(v)
}

// serverConfig accepts TLS 1.3 only, with X25519MLKEM768 as the only key exchange group.
func serverConfig(certChainPEM, keyPEM string) (*tls.Config, error) {
	cert, err := tls.X509KeyPair([]byte(certChainPEM), []byte(keyPEM))
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates:     []tls.Certificate{cert},
		MinVersion:       tls.VersionTLS13,
		MaxVersion:       tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768},
		NextProtos:       []string{"http/1.1"},
	}, nil
}

func groupNames(ids []tls.CurveID) []string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, id.String())
	}
	return names
}

// front is the listener, its TLS config, the upstream address and the report.
type front struct {
	ln       net.Listener
	base     *tls.Config
	upstream string
	out      *emitter
	probes   sync.Map // remote address (string) of the classical probe's connection → true
}

// handshake runs the TLS handshake of one accepted connection and reports it.
func (f *front) handshake(raw net.Conn) (*tls.Conn, bool) {
	var offered []string
	cfg := f.base.Clone()
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		offered = groupNames(h.SupportedCurves)
		return nil, nil
	}
	conn := tls.Server(raw, cfg)
	_ = raw.SetDeadline(time.Now().Add(handshakeTimeout))
	err := conn.Handshake()
	// looked up after the handshake: the probe stores its address before it sends its ClientHello
	_, probe := f.probes.Load(raw.RemoteAddr().String())
	if err != nil {
		if offered == nil {
			offered = []string{}
		}
		f.out.emit(event{Event: "tls_error", Message: err.Error(), OfferedGroups: offered, Probe: probe})
		return nil, false
	}
	_ = raw.SetDeadline(time.Time{})
	st := conn.ConnectionState()
	f.out.emit(event{
		Event:         "handshake",
		Group:         st.CurveID.String(),
		Version:       tls.VersionName(st.Version),
		Cipher:        tls.CipherSuiteName(st.CipherSuite),
		ALPN:          st.NegotiatedProtocol,
		OfferedGroups: offered,
		Probe:         probe,
	})
	return conn, true
}

// serve handshakes one connection and pipes its plaintext to the upstream port, both ways.
func (f *front) serve(raw net.Conn) {
	defer raw.Close()
	conn, ok := f.handshake(raw)
	if !ok {
		return
	}
	up, err := net.DialTimeout("tcp", f.upstream, 5*time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, conn)
		if t, ok := up.(*net.TCPConn); ok {
			_ = t.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(conn, up)
		_ = conn.CloseWrite()
		done <- struct{}{}
	}()
	<-done
	<-done
}

// accept serves connections until the listener closes, at most maxConns at once.
func (f *front) accept() {
	slots := make(chan struct{}, maxConns)
	for {
		raw, err := f.ln.Accept()
		if err != nil {
			return
		}
		slots <- struct{}{}
		go func() {
			defer func() { <-slots }()
			f.serve(raw)
		}()
	}
}

// probeClassical connects as a client that offers only X25519 (no hybrid group): the server must
// refuse it, else a completed handshake with it would prove nothing about a client's PQ support.
func (f *front) probeClassical() probeResult {
	d := net.Dialer{Timeout: handshakeTimeout}
	raw, err := d.Dial("tcp", f.ln.Addr().String())
	if err != nil {
		return probeResult{Refused: false, Error: "probe could not connect: " + err.Error()}
	}
	defer raw.Close()
	f.probes.Store(raw.LocalAddr().String(), true)
	conn := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true, // the probe tests the key exchange only; verification is the SDK's job
		MinVersion:         tls.VersionTLS12,
		CurvePreferences:   []tls.CurveID{tls.X25519},
		ServerName:         "localhost",
	})
	_ = raw.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := conn.Handshake(); err != nil {
		return probeResult{Refused: true, Error: err.Error()}
	}
	return probeResult{Refused: false, Error: "a client offering only X25519 completed the handshake"}
}

func readConfig(r io.Reader) (config, error) {
	var c config
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxConfigBytes), 64<<10).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("reading the config: %w", err)
	}
	if err := json.Unmarshal([]byte(line), &c); err != nil {
		return c, fmt.Errorf("config is not JSON: %w", err)
	}
	if c.UpstreamPort <= 0 || c.UpstreamPort > 65535 {
		return c, errors.New("upstream_port must be a TCP port")
	}
	return c, nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-version" {
		fmt.Println("ron-kit pq_server " + version)
		return
	}
	out := &emitter{enc: json.NewEncoder(os.Stdout)}
	fail := func(msg string) {
		out.emit(map[string]string{"error": msg})
		os.Exit(2)
	}
	c, err := readConfig(os.Stdin)
	if err != nil {
		fail(err.Error())
	}
	base, err := serverConfig(c.CertChainPEM, c.KeyPEM)
	if err != nil {
		fail("certificate or key: " + err.Error())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: " + err.Error())
	}
	f := &front{ln: ln, base: base, upstream: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.UpstreamPort)), out: out}
	go f.accept()
	probe := f.probeClassical()
	out.emit(map[string]any{"port": ln.Addr().(*net.TCPAddr).Port, "classical_probe": probe})
	// the kit closed stdin (or went away): stop
	_, _ = io.Copy(io.Discard, os.Stdin)
}
