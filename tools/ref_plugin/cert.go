package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// serverCert mints the plugin's server certificate: ECDSA P-256, self-signed leaf (not a CA),
// SAN localhost, valid 24 hours (go-plugin's is a P-521 CA valid ~30 years). The key stays in memory.
func serverCert(f fault) (tls.Certificate, error) {
	var key crypto.Signer
	var err error
	if f.has(weakCert) {
		key, err = rsa.GenerateKey(rand.Reader, 1024)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	life := 24 * time.Hour
	if f.has(longLivedCert) {
		life = 30 * 365 * 24 * time.Hour
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"ron-kit reference plugin"}},
		DNSNames:              []string{"localhost"},
		NotBefore:             now.Add(-30 * time.Second),
		NotAfter:              now.Add(life),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if f.has(keyOnDisk) || f.has(keyPrinted) {
		pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return tls.Certificate{}, err
		}
		block := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
		if f.has(keyOnDisk) {
			if err := os.WriteFile(filepath.Join(os.TempDir(), "plugin-server.key"), block, 0o600); err != nil {
				return tls.Certificate{}, err
			}
		}
		if f.has(keyPrinted) {
			fmt.Fprintf(os.Stderr, "server key:\n%s", block)
		}
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
