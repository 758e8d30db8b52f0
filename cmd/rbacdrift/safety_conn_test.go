package main

import (
	"context"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// A testCA is a certificate authority made for one test.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// serverCert issues a certificate for localhost and 127.0.0.1; it returns
// the certificate and its key, in PEM.
func (ca *testCA) serverCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// writeTemp writes content to name in a new temporary directory.
func writeTemp(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A connCase is one run of the command and what it must say.
type connCase struct {
	name     string
	args     []string
	wantCode int
	want     []string // regexps stderr must match
	env      map[string]string
}

// runConnCases runs each case and checks its exit code and message, and
// that safetyPassword appears nowhere: not on stdout, not on stderr, not in
// a report file.
func runConnCases(t *testing.T, cases []connCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			args := append(append([]string(nil), tc.args...), "--report", "json="+filepath.Join(dir, "r.json"))
			if tc.args[0] != "check" {
				args = tc.args
			}
			began := time.Now()
			code, stdout, stderr := rbacdrift(t.Context(), args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			for _, w := range tc.want {
				if !regexp.MustCompile(w).MatchString(stderr) {
					t.Errorf("stderr does not match %q:\n%s", w, stderr)
				}
			}
			assertNoSecret(t, safetyPassword, map[string]string{"stdout": stdout, "stderr": stderr}, dir)
			if d := time.Since(began); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// assertNoSecret fails when secret is in any of outputs or in any file
// under dirs.
func assertNoSecret(t *testing.T, secret string, outputs map[string]string, dirs ...string) {
	t.Helper()
	for name, s := range outputs {
		if strings.Contains(s, secret) {
			t.Errorf("the password is on %s:\n%s", name, s)
		}
	}
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
				return nil
			}
			if strings.Contains(string(b), secret) {
				t.Errorf("the password is in %s", path)
			}
			return nil
		})
	}
}

// TestSafetyTLSAndPasswords runs the command against a server with TLS (a
// certificate made here) and password authentication, and against one
// without TLS, both on 127.0.0.1.
func TestSafetyTLSAndPasswords(t *testing.T) {
	model := writeTemp(t, "rbacdrift.yaml", []byte("version: 1\ntables:\n  nothing_here: {}\n"))

	// Not parallel: one case sets PGPASSWORD.
	t.Run("tls", func(t *testing.T) {
		ca := newTestCA(t, "rbacdrift test CA")
		otherCA := newTestCA(t, "some other CA")
		certPEM, keyPEM := ca.serverCert(t)
		port := pgtest.FreePort(t)
		c := pgtest.StartCluster(t, pgtest.ClusterOptions{
			TCPPort:   port,
			ExtraConf: []string{"ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "password_encryption = 'scram-sha-256'"},
			Files:     map[string][]byte{"server.crt": certPEM, "server.key": keyPEM},
			HBA: []string{
				"local all pw_user scram-sha-256",
				"host all pw_user 127.0.0.1/32 scram-sha-256",
				"hostnossl all all 127.0.0.1/32 reject",
			},
		})
		adminConn(t, c.URL("postgres", "", ""), "CREATE ROLE pw_user LOGIN PASSWORD '"+safetyPassword+"'")
		caFile := writeTemp(t, "ca.pem", ca.certPEM)
		otherCAFile := writeTemp(t, "other-ca.pem", otherCA.certPEM)
		tcp := func(user, pw, host, query string) string {
			return fmt.Sprintf("postgres://%s:%s@%s:%d/postgres?%s", user, pw, host, port, query)
		}
		runConnCases(t, []connCase{
			{name: "verify-full by IP", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				tcp("postgres", safetyPassword, "127.0.0.1", "sslmode=verify-full&sslrootcert="+caFile)}},
			{name: "verify-full by name", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				tcp("postgres", safetyPassword, "localhost", "sslmode=verify-full&sslrootcert="+caFile)}},
			{name: "verify-full key=value", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				fmt.Sprintf("host=127.0.0.1 port=%d user=pw_user password=%s dbname=postgres sslmode=verify-full sslrootcert=%s", port, safetyPassword, caFile)}},
			{name: "password right", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				tcp("pw_user", safetyPassword, "127.0.0.1", "sslmode=require")}},
			{name: "password from PGPASSWORD", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				tcp("pw_user", "", "127.0.0.1", "sslmode=require")}, env: map[string]string{"PGPASSWORD": safetyPassword}},
			{name: "wrong CA", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				tcp("postgres", safetyPassword, "127.0.0.1", "sslmode=verify-full&sslrootcert="+otherCAFile)},
				want: []string{`cannot connect to postgres://postgres@127\.0\.0\.1:[0-9]+/postgres`, `certificate signed by unknown authority`, `sslrootcert must name the CA that signed it`}},
			{name: "wrong host name", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				fmt.Sprintf("postgres://postgres:%s@127.0.0.2:%d/postgres?sslmode=verify-full&sslrootcert=%s", safetyPassword, port, caFile)},
				want: []string{`cannot connect`}},
			{name: "wrong password", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				tcp("pw_user", "not-"+safetyPassword+"-either", "127.0.0.1", "sslmode=require")},
				want: []string{`password authentication failed for user "pw_user" \(SQLSTATE 28P01\); check the user name and password`}},
			{name: "wrong password snapshot", wantCode: exitConnect, args: []string{"snapshot", "--db",
				tcp("pw_user", safetyPassword+"x", "127.0.0.1", "sslmode=require")},
				want: []string{`rbacdrift snapshot: cannot connect .*28P01`}},
			{name: "wrong password on the socket", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				c.URL("postgres", "pw_user", "wrong-"+safetyPassword)},
				want: []string{`28P01`}},
			{name: "no TLS refused", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				tcp("postgres", safetyPassword, "127.0.0.1", "sslmode=disable")},
				want: []string{`pg_hba.conf rejects connection`}},
		})
	})

	t.Run("plain", func(t *testing.T) {
		port := pgtest.FreePort(t)
		pgtest.StartCluster(t, pgtest.ClusterOptions{TCPPort: port, ExtraConf: []string{"ssl = off"}})
		runConnCases(t, []connCase{
			{name: "sslmode=require without TLS", wantCode: exitConnect, args: []string{"check", "--spec", model, "--db",
				fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=require", safetyPassword, port)},
				want: []string{`server refused TLS connection`, `the server does not offer TLS`}},
			{name: "sslmode=prefer without TLS", wantCode: exitDrift, args: []string{"check", "--spec", model, "--db",
				fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=prefer", safetyPassword, port)}},
		})
	})
}

// adminConn runs sql on url, a superuser URL.
func adminConn(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
