package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// stub is a plugin with no service of its own: the test needs only go-plugin's host side.
type stub struct{ plugin.Plugin }

func (stub) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }
func (stub) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return struct{}{}, nil
}

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ref_plugin")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// go-plugin v1.8.0's own host (AutoMTLS, gRPC) starts the reference plugin, checks its health and
// shuts it down: the reference speaks go-plugin's protocol.
func TestGoPluginHostDrivesTheReference(t *testing.T) {
	bin := build(t)
	t.Setenv("TMPDIR", t.TempDir())
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  appVersion,
			MagicCookieKey:   cookieKey,
			MagicCookieValue: cookieValue,
		},
		Plugins:          plugin.PluginSet{"stub": stub{}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     10 * time.Second,
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("the go-plugin host could not start the plugin: %v", err)
	}
	if err := rpc.Ping(); err != nil {
		t.Fatalf("health check over mTLS: %v", err)
	}
	if client.NegotiatedVersion() != appVersion {
		t.Fatalf("negotiated version %d", client.NegotiatedVersion())
	}
	addr := client.ReattachConfig().Addr.String()
	client.Kill()
	if !client.Exited() {
		t.Fatal("the plugin did not exit after Kill (GRPCController.Shutdown)")
	}
	if _, err := os.Stat(addr); !os.IsNotExist(err) {
		t.Fatalf("the socket %s is still there after shutdown (%v)", addr, err)
	}
}

// Without the cookie the plugin exits 1 and prints no handshake.
func TestRefusesWithoutCookie(t *testing.T) {
	bin := build(t)
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || len(out) != 0 {
		t.Fatalf("want exit 1 and no stdout, got %v %q", err, out)
	}
}
