package main

import (
	"fmt"
	"os"
)

// fault is the one fault a mutant has (none for the reference), from RON_RPC_MUTANT.
type fault string

// The faults; each breaks exactly one rule of the kit's rpc checks.
const (
	noClientAuth        fault = "no-client-auth"         // TLS asks for no client certificate
	acceptAnyClientCert fault = "accept-any-client-cert" // any client certificate, unverified
	tls10Allowed        fault = "tls10-allowed"          // TLS minimum 1.0
	tls11Allowed        fault = "tls11-allowed"          // TLS minimum 1.1
	socket0777          fault = "socket-0777"            // the socket is world-writable
	socketDirShared     fault = "socket-dir-shared"      // the socket is in a world-writable directory
	bindAll             fault = "bind-all"               // TCP: listens on 0.0.0.0, advertises 127.0.0.1
	noCookieCheck       fault = "no-cookie-check"        // starts without the magic cookie
	cookieEchoed        fault = "cookie-echoed"          // a wrong cookie's message prints the expected one
	keyOnDisk           fault = "key-on-disk"            // writes the server key to its temp directory
	keyPrinted          fault = "key-printed"            // prints the server key on stderr
	noHealth            fault = "no-health"              // no grpc.health.v1 service
	slowShutdown        fault = "slow-shutdown"          // exits 8 s after GRPCController.Shutdown
	socketLeft          fault = "socket-left"            // leaves its socket file behind
	wrongVersion        fault = "wrong-version"          // answers an app protocol version not asked for
	handshakePadded     fault = "handshake-padded"       // the certificate field is padded base64
	certMismatch        fault = "cert-mismatch"          // the handshake names another certificate
	weakCert            fault = "weak-cert"              // an RSA-1024 server key
	longLivedCert       fault = "long-lived-cert"        // a server certificate valid 30 years
)

var allFaults = []fault{
	noClientAuth, acceptAnyClientCert, tls10Allowed, tls11Allowed, socket0777, socketDirShared, bindAll,
	noCookieCheck, cookieEchoed, keyOnDisk, keyPrinted, noHealth, slowShutdown, socketLeft, wrongVersion,
	handshakePadded, certMismatch, weakCert, longLivedCert,
}

func (f fault) has(g fault) bool { return f == g }

// faultFromEnv reads RON_RPC_MUTANT; an unknown name is refused (exit 2), never served as the reference.
func faultFromEnv() fault {
	name := os.Getenv("RON_RPC_MUTANT")
	if name == "" {
		return ""
	}
	for _, f := range allFaults {
		if string(f) == name {
			return f
		}
	}
	fmt.Fprintf(os.Stderr, "unknown RON_RPC_MUTANT %q\n", name)
	os.Exit(2)
	return ""
}
