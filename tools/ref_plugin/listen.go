package main

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// listen opens the plugin's listener: a Unix socket (owner-only, or 0660 for a configured group)
// in PLUGIN_UNIX_SOCKET_DIR or the temp directory, or with RON_RPC_TRANSPORT=tcp a loopback port in
// PLUGIN_MIN_PORT..PLUGIN_MAX_PORT.
func listen(f fault) (net.Listener, error) {
	if os.Getenv("RON_RPC_TRANSPORT") == "tcp" {
		return listenTCP(f)
	}
	dir := os.Getenv("PLUGIN_UNIX_SOCKET_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	if f.has(socketDirShared) {
		shared := filepath.Join(dir, "plugins")
		if err := os.MkdirAll(shared, 0o777); err != nil {
			return nil, err
		}
		if err := os.Chmod(shared, 0o777); err != nil {
			return nil, err
		}
		dir = shared
	}
	tf, err := os.CreateTemp(dir, "plugin")
	if err != nil {
		return nil, err
	}
	path := tf.Name()
	_ = tf.Close()
	if err := os.Remove(path); err != nil {
		return nil, err
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	l.SetUnlinkOnClose(!f.has(socketLeft))
	mode := os.FileMode(0o600)
	if g := os.Getenv("PLUGIN_UNIX_SOCKET_GROUP"); g != "" {
		gid, err := groupID(g)
		if err != nil {
			_ = l.Close()
			return nil, err
		}
		if err := os.Chown(path, -1, gid); err != nil {
			_ = l.Close()
			return nil, err
		}
		mode = 0o660
	}
	if f.has(socket0777) {
		mode = 0o777
	}
	if err := os.Chmod(path, mode); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

func groupID(g string) (int, error) {
	if id, err := strconv.Atoi(g); err == nil {
		return id, nil
	}
	grp, err := user.LookupGroup(g)
	if err != nil {
		return 0, fmt.Errorf("PLUGIN_UNIX_SOCKET_GROUP %q: %w", g, err)
	}
	return strconv.Atoi(grp.Gid)
}

func listenTCP(f fault) (net.Listener, error) {
	lo, hi := envPort("PLUGIN_MIN_PORT", 10000), envPort("PLUGIN_MAX_PORT", 25000)
	host := "127.0.0.1"
	if f.has(bindAll) {
		host = "0.0.0.0"
	}
	for p := lo; p <= hi; p++ {
		if l, err := net.Listen("tcp4", fmt.Sprintf("%s:%d", host, p)); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no free port in %d..%d", lo, hi)
}

func envPort(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 && v < 65536 {
		return v
	}
	return def
}

// advertised is the handshake's address: the listener's, except that bind-all still advertises
// loopback (the fault pyvider-rpcplugin's TCP transport has).
func advertised(f fault, l net.Listener) string {
	if a, ok := l.Addr().(*net.TCPAddr); ok && f.has(bindAll) {
		return fmt.Sprintf("127.0.0.1:%d", a.Port)
	}
	return l.Addr().String()
}
