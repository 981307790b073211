// Command ref_plugin is the conformance kit's reference plugin for the `rpc` profile: a go-plugin
// gRPC plugin server (handshake line, AutoMTLS, grpc.health.v1 and plugin.GRPCController) written
// on grpc-go with go-plugin v1.8.0's protocol constants. go-plugin's own plugin.Serve fixes the
// client authentication, the TLS minimum and a 30-year certificate, so it cannot be built as the
// kit's one-fault mutants; this server does what Serve does, plus a constant-time cookie check, an
// owner-only socket and a short-lived certificate. RON_RPC_MUTANT selects one fault (see faults.go);
// RON_RPC_TRANSPORT=tcp serves on 127.0.0.1 in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT instead of a
// Unix socket. `ref_plugin -version` prints its build stamp.
package main

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"fmt"

	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped at build time (-ldflags "-X main.version=…").
var version = "dev"

// The handshake the kit's reference target uses (a 32-byte random value, hex).
const (
	cookieKey   = "RON_RPC_PLUGIN"
	cookieValue = "9f3c2a7d1e5b48c6a0f2d4e6b8c1a3e5f7092b4d6e8f0a1c3e5b7d9f1a2c4e6b"
	appVersion  = 1
)

func main() {
	showVersion := flag.Bool("version", false, "print the build stamp and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("ron-kit ref_plugin %s\n", version)
		return
	}
	os.Exit(serve(faultFromEnv()))
}

func serve(f fault) int {
	if !f.has(noCookieCheck) {
		got := os.Getenv(cookieKey)
		if subtle.ConstantTimeCompare([]byte(got), []byte(cookieValue)) != 1 {
			msg := "This binary is a plugin: it is started by its host, which sets the magic cookie.\n"
			if f.has(cookieEchoed) {
				msg = fmt.Sprintf("magic cookie mismatch: expected %s=%s\n", cookieKey, cookieValue)
			}
			fmt.Fprint(os.Stderr, msg)
			return 1
		}
	}
	proto := negotiate(f)
	lis, err := listen(f)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plugin init error: %v\n", err)
		return 1
	}
	var opts []grpc.ServerOption
	certField := ""
	if pem := os.Getenv("PLUGIN_CLIENT_CERT"); pem != "" {
		cfg, der, err := autoMTLS(f, pem)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plugin tls init: %v\n", err)
			_ = lis.Close()
			return 1
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
		certField = encodeCert(f, der)
	}
	srv := grpc.NewServer(opts...)
	if !f.has(noHealth) {
		h := health.NewServer()
		h.SetServingStatus(plugin.GRPCServiceName, healthpb.HealthCheckResponse_SERVING)
		healthpb.RegisterHealthServer(srv, h)
	}
	done := make(chan struct{})
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if f.has(slowShutdown) {
				time.Sleep(8 * time.Second)
			}
			stopped := make(chan struct{})
			go func() { srv.GracefulStop(); close(stopped) }()
			select {
			case <-stopped:
			case <-time.After(2 * time.Second):
				srv.Stop()
			}
			close(done)
		})
	}
	srv.RegisterService(&controllerDesc, &controller{stop: func() { go stop() }})

	fmt.Printf("%d|%d|%s|%s|%s|%s\n", plugin.CoreProtocolVersion, proto,
		lis.Addr().Network(), advertised(f, lis), plugin.ProtocolGRPC, certField)
	_ = os.Stdout.Sync()

	// like go-plugin: interrupts are the host's to handle (it asks over GRPCController.Shutdown)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() {
		for range sig {
		}
	}()
	go func() {
		if err := srv.Serve(lis); err != nil {
			fmt.Fprintf(os.Stderr, "grpc server: %v\n", err)
		}
	}()
	<-done
	_ = lis.Close()
	return 0
}

// negotiate picks the newest app protocol version the host asked for that this plugin speaks
// (it speaks only appVersion; go-plugin falls back to its own version when none matches).
func negotiate(f fault) int {
	if f.has(wrongVersion) {
		return appVersion + 1
	}
	var asked []int
	for _, s := range strings.Split(os.Getenv("PLUGIN_PROTOCOL_VERSIONS"), ",") {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			asked = append(asked, v)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(asked)))
	for _, v := range asked {
		if v == appVersion {
			return v
		}
	}
	return appVersion
}

// autoMTLS builds the server side of go-plugin's AutoMTLS: trust exactly the host's certificate,
// require it, TLS 1.2 or later; a fresh short-lived server certificate.
func autoMTLS(f fault, clientPEM string) (*tls.Config, []byte, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(clientPEM)) {
		return nil, nil, fmt.Errorf("PLUGIN_CLIENT_CERT is not a PEM certificate")
	}
	cert, err := serverCert(f)
	if err != nil {
		return nil, nil, err
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}
	switch {
	case f.has(noClientAuth):
		cfg.ClientAuth = tls.NoClientCert
	case f.has(acceptAnyClientCert):
		cfg.ClientAuth = tls.RequireAnyClientCert
	}
	// Legacy TLS: a lower minimum, and the CBC suites TLS 1.0/1.1 need (grpc-go's credentials
	// drop them when no suites are configured, so allowing old clients means listing them).
	switch {
	case f.has(tls10Allowed):
		cfg.MinVersion = tls.VersionTLS10
	case f.has(tls11Allowed):
		cfg.MinVersion = tls.VersionTLS11
	}
	if f.has(tls10Allowed) || f.has(tls11Allowed) {
		for _, cs := range tls.CipherSuites() {
			cfg.CipherSuites = append(cfg.CipherSuites, cs.ID)
		}
	}
	der := cert.Certificate[0]
	if f.has(certMismatch) {
		other, err := serverCert(f)
		if err != nil {
			return nil, nil, err
		}
		der = other.Certificate[0]
	}
	return cfg, der, nil
}

// encodeCert is the handshake's sixth field: the DER certificate in unpadded standard base64.
func encodeCert(f fault, der []byte) string {
	if f.has(handshakePadded) {
		s := base64.StdEncoding.EncodeToString(der)
		if !strings.HasSuffix(s, "=") {
			s += "==" // a DER length that is a multiple of 3 needs none: pad anyway, the fault is padding
		}
		return s
	}
	return base64.RawStdEncoding.EncodeToString(der)
}

// controller serves plugin.GRPCController/Shutdown (go-plugin's controller, proto plugin.Empty).
type controller struct{ stop func() }

type controllerServer interface {
	Shutdown(context.Context, *emptypb.Empty) (*emptypb.Empty, error)
}

func (c *controller) Shutdown(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	c.stop()
	return &emptypb.Empty{}, nil
}

var controllerDesc = grpc.ServiceDesc{
	ServiceName: "plugin.GRPCController",
	HandlerType: (*controllerServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Shutdown",
		Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(controllerServer).Shutdown(ctx, in)
		},
	}},
	Metadata: "plugin/grpc_controller.proto",
}
