package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.Postgres() || c.SMTPEnabled() {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.BaseURL != "http://localhost:8080" {
		t.Errorf("BaseURL = %q", c.BaseURL)
	}
	if c.SessionTTL != 12*time.Hour {
		t.Errorf("SessionTTL = %v", c.SessionTTL)
	}
	if c.SQLitePath() != "data/sejour.db" {
		t.Errorf("SQLitePath = %q", c.SQLitePath())
	}
	if c.RateLimits != "memory" {
		t.Errorf("RateLimits on SQLite = %q, want memory", c.RateLimits)
	}
	pg, err := FromEnv(env(map[string]string{"SEJOUR_DATABASE_URL": "postgres://u@h/db", "SEJOUR_KEY_ENCRYPTION_KEY": testKEK}))
	if err != nil || pg.RateLimits != "shared" {
		t.Errorf("RateLimits on PostgreSQL = %q (%v), want shared", pg.RateLimits, err)
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad addr", map[string]string{"SEJOUR_ADDR": "8080"}, "SEJOUR_ADDR"},
		{"bad port in addr", map[string]string{"SEJOUR_ADDR": ":http99"}, "SEJOUR_ADDR"},
		{"metrics addr without port", map[string]string{"SEJOUR_METRICS_ADDR": "9090"}, "SEJOUR_METRICS_ADDR"},
		{"metrics port not a number", map[string]string{"SEJOUR_METRICS_ADDR": "127.0.0.1:metrics"}, "SEJOUR_METRICS_ADDR"},
		{"metrics on the site's listener", map[string]string{"SEJOUR_ADDR": ":8080", "SEJOUR_METRICS_ADDR": ":8080"}, "SEJOUR_METRICS_ADDR"},
		{"mysql url", map[string]string{"SEJOUR_DATABASE_URL": "mysql://x"}, "SEJOUR_DATABASE_URL"},
		{"smtp port", map[string]string{"SEJOUR_SMTP_PORT": "abc"}, "SEJOUR_SMTP_PORT"},
		{"smtp tls", map[string]string{"SEJOUR_SMTP_TLS": "maybe"}, "SEJOUR_SMTP_TLS"},
		{"from", map[string]string{"SEJOUR_SMTP_FROM": "not an address"}, "SEJOUR_SMTP_FROM"},
		{"base url", map[string]string{"SEJOUR_BASE_URL": "localhost:8080"}, "SEJOUR_BASE_URL"},
		{"dev", map[string]string{"SEJOUR_DEV": "perhaps"}, "SEJOUR_DEV"},
		{"ttl", map[string]string{"SEJOUR_SESSION_TTL": "5s"}, "SEJOUR_SESSION_TTL"},
		{"log", map[string]string{"SEJOUR_LOG_LEVEL": "loud"}, "SEJOUR_LOG_LEVEL"},
		{"rate limits", map[string]string{"SEJOUR_RATE_LIMITS": "redis"}, "SEJOUR_RATE_LIMITS"},
		{"upload size", map[string]string{"SEJOUR_UPLOAD_MAX_MB": "0"}, "SEJOUR_UPLOAD_MAX_MB"},
		{"quota below size", map[string]string{"SEJOUR_UPLOAD_MAX_MB": "20", "SEJOUR_UPLOAD_QUOTA_MB": "10"}, "SEJOUR_UPLOAD_QUOTA_MB"},
		{"check memory below one image", map[string]string{"SEJOUR_CHECK_MEMORY_MB": "64"}, "SEJOUR_CHECK_MEMORY_MB"},
		{"key-encryption key not base64", map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY": "not base64!"}, "SEJOUR_KEY_ENCRYPTION_KEY: not 32 bytes"},
		{"key-encryption key short", map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY": "c2hvcnQ="}, "SEJOUR_KEY_ENCRYPTION_KEY: not 32 bytes"},
		{"key-encryption key twice", map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY": testKEK, "SEJOUR_KEY_ENCRYPTION_KEY_FILE": "/k"}, "not both"},
		{"key-encryption key file absent", map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY_FILE": "/nonexistent/kek"}, "SEJOUR_KEY_ENCRYPTION_KEY_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %s", err, tt.want)
			}
		})
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"SEJOUR_ADDR": "x", "SEJOUR_SMTP_TLS": "y"}))
	if err == nil || !strings.Contains(err.Error(), "SEJOUR_ADDR") || !strings.Contains(err.Error(), "SEJOUR_SMTP_TLS") {
		t.Fatalf("want both problems listed, got %v", err)
	}
}

func TestStringMasksSecrets(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"SEJOUR_DATABASE_URL":       "postgres://sejour:hunter2secret@db:5432/sejour",
		"SEJOUR_SMTP_PASSWORD":      "smtp-secret-value",
		"SEJOUR_KEY_ENCRYPTION_KEY": testKEK,
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{"hunter2secret", "smtp-secret-value", testKEK} {
		if strings.Contains(s, secret) {
			t.Errorf("String() leaks %q:\n%s", secret, s)
		}
	}
	if !strings.Contains(s, "postgres://sejour:********@db:5432/sejour") {
		t.Errorf("database URL not shown masked:\n%s", s)
	}
	if !strings.Contains(s, "SEJOUR_KEY_ENCRYPTION_KEY=********\n") {
		t.Errorf("key-encryption key not shown masked:\n%s", s)
	}
}

// testKEK is a key-encryption key: 32 bytes in base64.
const testKEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func TestKeyEncryptionKey(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY": testKEK}))
	if err != nil || len(c.KeyEncryptionKey) != 32 || c.KeyEncryptionKey[31] != 31 {
		t.Fatalf("from the environment: %v, %x", err, c.KeyEncryptionKey)
	}
	path := filepath.Join(t.TempDir(), "kek")
	os.WriteFile(path, []byte(testKEK+"\n"), 0o600)
	c, err = FromEnv(env(map[string]string{"SEJOUR_KEY_ENCRYPTION_KEY_FILE": path}))
	if err != nil || len(c.KeyEncryptionKey) != 32 || c.KeyEncryptionKey[31] != 31 {
		t.Fatalf("from a file: %v, %x", err, c.KeyEncryptionKey)
	}
	if s := c.String(); !strings.Contains(s, "SEJOUR_KEY_ENCRYPTION_KEY_FILE="+path+"\n") || strings.Contains(s, testKEK) {
		t.Errorf("printed:\n%s", s)
	}
	c, err = FromEnv(env(nil))
	if err != nil || c.KeyEncryptionKey != nil || c.DefaultKEKFile() != "data/key-encryption-key" {
		t.Errorf("none set: %v, %x, default file %q", err, c.KeyEncryptionKey, c.DefaultKEKFile())
	}
}

func TestMetricsAddr(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.MetricsAddr != "" {
		t.Fatalf("default: %v, %q (want empty: no metrics)", err, c.MetricsAddr)
	}
	c, err = FromEnv(env(map[string]string{"SEJOUR_METRICS_ADDR": " 127.0.0.1:9090 "}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("set: %v, %q", err, c.MetricsAddr)
	}
	if !strings.Contains(c.String(), "SEJOUR_METRICS_ADDR=127.0.0.1:9090\n") {
		t.Errorf("not printed:\n%s", c.String())
	}
}
