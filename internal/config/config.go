// Package config reads sejour's configuration from the environment once,
// validates it with messages an operator can act on, and prints it with
// secrets masked. There are no globals: main passes the Config down.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of a sejour process.
type Config struct {
	Addr string // SEJOUR_ADDR: where the HTTP server listens
	// SEJOUR_METRICS_ADDR: where /metrics (Prometheus) is served, on a
	// listener of its own; empty: no metrics. Never a public address.
	MetricsAddr string
	DataDir     string // SEJOUR_DATA_DIR: SQLite file, blobs, keys
	// SEJOUR_ATTEMPTS_DIR: the journal of filings attempted while the
	// database was down (package attempts); <data dir>/attempts by
	// default. Best on another volume than the database's.
	AttemptsDir string
	DatabaseURL string // SEJOUR_DATABASE_URL: empty for the embedded SQLite file
	BaseURL     string // SEJOUR_BASE_URL: public address, used in mails

	SMTPHost     string // SEJOUR_SMTP_HOST: empty keeps mails in the outbox
	SMTPPort     int    // SEJOUR_SMTP_PORT
	SMTPUser     string // SEJOUR_SMTP_USER
	SMTPPassword string // SEJOUR_SMTP_PASSWORD
	SMTPFrom     string // SEJOUR_SMTP_FROM
	SMTPTLS      string // SEJOUR_SMTP_TLS: none, starttls or tls

	// SEJOUR_ATTESTATION_LEAD_DAYS: how many days before it starts an
	// extension attestation is made available.
	AttestationLeadDays int

	UploadMaxMB   int // SEJOUR_UPLOAD_MAX_MB: the largest document accepted
	UploadQuotaMB int // SEJOUR_UPLOAD_QUOTA_MB: documents one person may store
	// SEJOUR_CHECK_MEMORY_MB: the memory the checks of uploaded files and
	// the verifier's photos may take together, at once.
	CheckMemoryMB int

	// SEJOUR_KEY_ENCRYPTION_KEY (32 bytes in base64), or the file
	// SEJOUR_KEY_ENCRYPTION_KEY_FILE holding it: it seals the attestation
	// signing keys in the database, and every instance needs the same one.
	// Nil when neither is set: the embedded demonstration then makes
	// DefaultKEKFile at first start.
	KeyEncryptionKey     []byte
	KeyEncryptionKeyFile string

	// SEJOUR_TRUSTED_PROXIES: the reverse proxies (addresses or CIDR
	// networks, comma-separated) whose X-Forwarded-For names the client;
	// empty: the client is the TCP peer.
	TrustedProxies []netip.Prefix
	// SEJOUR_RATE_LIMIT_KEYS: how many keys the in-memory rate limits
	// keep before forgetting the least recently used.
	RateLimitKeys int
	// SEJOUR_API_KEY_RATE: the requests an API key may make a minute
	// (issue 14, part 6): as many at once, then one every 60/N seconds.
	APIKeyRate int
	// SEJOUR_RATE_LIMITS: where the rate limits count, "shared" (in the
	// database, so every instance on it counts against the same buckets)
	// or "memory" (per process). Shared by default on PostgreSQL, in
	// memory on the embedded SQLite file.
	RateLimits string

	// SEJOUR_BLOB_URL: where uploaded documents and issued attestation
	// PDFs are kept; <data dir>/files by default, or s3://bucket/prefix
	// on the server that S3 (SEJOUR_S3_*) describes.
	Blobs BlobLocation
	S3    S3

	Dev        bool          // SEJOUR_DEV: development pages (mail outbox)
	SessionTTL time.Duration // SEJOUR_SESSION_TTL
	LogLevel   string        // SEJOUR_LOG_LEVEL: debug, info, warn, error
}

// Getenv is the shape of os.Getenv, so tests can pass a map.
type Getenv func(string) string

// FromEnv reads and validates the configuration. The error lists every
// problem at once, each naming the variable to fix.
func FromEnv(getenv Getenv) (*Config, error) {
	var errs []error
	c := &Config{
		Addr:         str(getenv, "SEJOUR_ADDR", ":8080"),
		DataDir:      str(getenv, "SEJOUR_DATA_DIR", "./data"),
		MetricsAddr:  strings.TrimSpace(getenv("SEJOUR_METRICS_ADDR")),
		DatabaseURL:  getenv("SEJOUR_DATABASE_URL"),
		AttemptsDir:  getenv("SEJOUR_ATTEMPTS_DIR"),
		SMTPHost:     getenv("SEJOUR_SMTP_HOST"),
		SMTPUser:     getenv("SEJOUR_SMTP_USER"),
		SMTPPassword: getenv("SEJOUR_SMTP_PASSWORD"),
		SMTPFrom:     str(getenv, "SEJOUR_SMTP_FROM", "sejour <ne-pas-repondre@sejour.localhost>"),
		SMTPTLS:      str(getenv, "SEJOUR_SMTP_TLS", "none"),
		LogLevel:     str(getenv, "SEJOUR_LOG_LEVEL", "info"),
	}
	var err error
	if c.SMTPPort, err = strconv.Atoi(str(getenv, "SEJOUR_SMTP_PORT", "25")); err != nil || c.SMTPPort < 1 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("SEJOUR_SMTP_PORT: %q is not a port number (1-65535)", getenv("SEJOUR_SMTP_PORT")))
	}
	if c.AttestationLeadDays, err = strconv.Atoi(str(getenv, "SEJOUR_ATTESTATION_LEAD_DAYS", "15")); err != nil || c.AttestationLeadDays < 0 || c.AttestationLeadDays > 60 {
		errs = append(errs, fmt.Errorf("SEJOUR_ATTESTATION_LEAD_DAYS: %q is not a number of days between 0 and 60", getenv("SEJOUR_ATTESTATION_LEAD_DAYS")))
	}
	if c.UploadMaxMB, err = strconv.Atoi(str(getenv, "SEJOUR_UPLOAD_MAX_MB", "10")); err != nil || c.UploadMaxMB < 1 || c.UploadMaxMB > 100 {
		errs = append(errs, fmt.Errorf("SEJOUR_UPLOAD_MAX_MB: %q is not a number of megabytes between 1 and 100", getenv("SEJOUR_UPLOAD_MAX_MB")))
	}
	if c.UploadQuotaMB, err = strconv.Atoi(str(getenv, "SEJOUR_UPLOAD_QUOTA_MB", "200")); err != nil || c.UploadQuotaMB < c.UploadMaxMB {
		errs = append(errs, fmt.Errorf("SEJOUR_UPLOAD_QUOTA_MB: %q must be a number of megabytes, at least SEJOUR_UPLOAD_MAX_MB", getenv("SEJOUR_UPLOAD_QUOTA_MB")))
	}
	if c.CheckMemoryMB, err = strconv.Atoi(str(getenv, "SEJOUR_CHECK_MEMORY_MB", "512")); err != nil || c.CheckMemoryMB < 128 {
		errs = append(errs, fmt.Errorf("SEJOUR_CHECK_MEMORY_MB: %q is not a number of megabytes of at least 128 (what checking one image may take)", getenv("SEJOUR_CHECK_MEMORY_MB")))
	}
	if c.TrustedProxies, err = parseProxies(getenv("SEJOUR_TRUSTED_PROXIES")); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_TRUSTED_PROXIES: %v (a comma-separated list of addresses or networks, e.g. 127.0.0.1,10.0.0.0/8)", err))
	}
	if c.RateLimitKeys, err = strconv.Atoi(str(getenv, "SEJOUR_RATE_LIMIT_KEYS", "100000")); err != nil || c.RateLimitKeys < 1000 {
		errs = append(errs, fmt.Errorf("SEJOUR_RATE_LIMIT_KEYS: %q is not a number of at least 1000", getenv("SEJOUR_RATE_LIMIT_KEYS")))
	}
	if c.APIKeyRate, err = strconv.Atoi(str(getenv, "SEJOUR_API_KEY_RATE", "60")); err != nil || c.APIKeyRate < 1 || c.APIKeyRate > 6000 {
		errs = append(errs, fmt.Errorf("SEJOUR_API_KEY_RATE: %q is not a number of requests a minute between 1 and 6000", getenv("SEJOUR_API_KEY_RATE")))
	}
	defaultLimits := "memory"
	if c.DatabaseURL != "" {
		defaultLimits = "shared"
	}
	if c.RateLimits = str(getenv, "SEJOUR_RATE_LIMITS", defaultLimits); c.RateLimits != "shared" && c.RateLimits != "memory" {
		errs = append(errs, fmt.Errorf("SEJOUR_RATE_LIMITS: %q is neither shared (in the database, for several instances) nor memory (per process)", c.RateLimits))
	}
	if c.Dev, err = strconv.ParseBool(str(getenv, "SEJOUR_DEV", "false")); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_DEV: %q is not true or false", getenv("SEJOUR_DEV")))
	}
	if c.SessionTTL, err = time.ParseDuration(str(getenv, "SEJOUR_SESSION_TTL", "12h")); err != nil || c.SessionTTL < time.Minute {
		errs = append(errs, fmt.Errorf("SEJOUR_SESSION_TTL: %q is not a duration of at least 1m (e.g. 12h)", getenv("SEJOUR_SESSION_TTL")))
	}
	kek, err := keyEncryptionKey(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.KeyEncryptionKey, c.KeyEncryptionKeyFile = kek, strings.TrimSpace(getenv("SEJOUR_KEY_ENCRYPTION_KEY_FILE"))
	c.BaseURL = strings.TrimRight(str(getenv, "SEJOUR_BASE_URL", DefaultBaseURL(c.Addr)), "/")
	errs = append(errs, c.readBlobs(getenv)...)
	errs = append(errs, c.validate()...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n  %w", joinLines(errs))
	}
	return c, nil
}

// kekSize is the length of the key-encryption key: AES-256.
const kekSize = 32

// keyEncryptionKey reads SEJOUR_KEY_ENCRYPTION_KEY or the file named by
// SEJOUR_KEY_ENCRYPTION_KEY_FILE (one of them, or neither).
func keyEncryptionKey(getenv Getenv) ([]byte, error) {
	value, file := strings.TrimSpace(getenv("SEJOUR_KEY_ENCRYPTION_KEY")), strings.TrimSpace(getenv("SEJOUR_KEY_ENCRYPTION_KEY_FILE"))
	name := "SEJOUR_KEY_ENCRYPTION_KEY"
	switch {
	case value != "" && file != "":
		return nil, errors.New("SEJOUR_KEY_ENCRYPTION_KEY and SEJOUR_KEY_ENCRYPTION_KEY_FILE: set one, not both")
	case value == "" && file == "":
		return nil, nil
	case file != "":
		name = "SEJOUR_KEY_ENCRYPTION_KEY_FILE"
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		value = strings.TrimSpace(string(b))
	}
	kek, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(kek) != kekSize {
		return nil, fmt.Errorf("%s: not %d bytes in base64 (make one with: openssl rand -base64 32)", name, kekSize)
	}
	return kek, nil
}

func (c *Config) validate() []error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_ADDR: %q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("SEJOUR_ADDR: port %q is not a number between 0 and 65535", port))
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("SEJOUR_METRICS_ADDR: %q is not host:port (e.g. 127.0.0.1:9090), or empty for no metrics", c.MetricsAddr))
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("SEJOUR_METRICS_ADDR: port %q is not a number between 0 and 65535", port))
		} else if c.MetricsAddr == c.Addr && n != 0 {
			errs = append(errs, fmt.Errorf("SEJOUR_METRICS_ADDR: %q is SEJOUR_ADDR too; the metrics need a listener of their own", c.MetricsAddr))
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("SEJOUR_DATA_DIR: must not be empty"))
	}
	if c.DatabaseURL != "" && !c.Postgres() {
		errs = append(errs, errors.New("SEJOUR_DATABASE_URL: must be empty (embedded SQLite) or a postgres:// URL"))
	} else if c.Postgres() {
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			errs = append(errs, errors.New("SEJOUR_DATABASE_URL: not a valid URL"))
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SEJOUR_BASE_URL: %q is not an absolute http(s) URL", c.BaseURL))
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_SMTP_FROM: %q is not an e-mail address", c.SMTPFrom))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("SEJOUR_SMTP_TLS: %q must be none, starttls or tls", c.SMTPTLS))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("SEJOUR_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel))
	}
	return errs
}

// Postgres reports whether the database is PostgreSQL rather than the
// embedded SQLite file.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the embedded database file, inside the data directory.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "sejour.db") }

// DefaultKEKFile is the key-encryption key made in the data directory at
// first start when none is configured, so that the embedded
// demonstration needs nothing set. Production sets its own.
func (c *Config) DefaultKEKFile() string { return filepath.Join(c.DataDir, "key-encryption-key") }

// AttemptsPath is the directory of the journal of attempted filings.
func (c *Config) AttemptsPath() string {
	if c.AttemptsDir != "" {
		return c.AttemptsDir
	}
	return filepath.Join(c.DataDir, "attempts")
}

// BlobDir is where uploaded documents are kept, by content, when
// SEJOUR_BLOB_URL does not say otherwise.
func (c *Config) BlobDir() string { return filepath.Join(c.DataDir, "files") }

// SMTPEnabled reports whether mails leave the outbox for an SMTP server.
func (c *Config) SMTPEnabled() bool { return c.SMTPHost != "" }

// String prints the configuration, one variable a line, secrets masked.
func (c *Config) String() string {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%s=%s\n", k, v) }
	line("SEJOUR_ADDR", c.Addr)
	line("SEJOUR_METRICS_ADDR", c.MetricsAddr)
	line("SEJOUR_DATA_DIR", c.DataDir)
	line("SEJOUR_DATABASE_URL", maskURL(c.DatabaseURL))
	line("SEJOUR_ATTEMPTS_DIR", c.AttemptsPath())
	line("SEJOUR_BASE_URL", c.BaseURL)
	line("SEJOUR_SMTP_HOST", c.SMTPHost)
	line("SEJOUR_SMTP_PORT", strconv.Itoa(c.SMTPPort))
	line("SEJOUR_SMTP_USER", c.SMTPUser)
	line("SEJOUR_SMTP_PASSWORD", mask(c.SMTPPassword))
	line("SEJOUR_SMTP_FROM", c.SMTPFrom)
	line("SEJOUR_SMTP_TLS", c.SMTPTLS)
	line("SEJOUR_ATTESTATION_LEAD_DAYS", strconv.Itoa(c.AttestationLeadDays))
	line("SEJOUR_UPLOAD_MAX_MB", strconv.Itoa(c.UploadMaxMB))
	line("SEJOUR_UPLOAD_QUOTA_MB", strconv.Itoa(c.UploadQuotaMB))
	line("SEJOUR_CHECK_MEMORY_MB", strconv.Itoa(c.CheckMemoryMB))
	line("SEJOUR_BLOB_URL", c.Blobs.String())
	if c.S3.Endpoint != "" || c.Blobs.IsS3() {
		line("SEJOUR_S3_ENDPOINT", c.S3.URL())
		line("SEJOUR_S3_REGION", c.S3.Region)
		line("SEJOUR_S3_ACCESS_KEY", c.S3.AccessKey)
		line("SEJOUR_S3_SECRET_KEY", mask(c.S3.SecretKey))
		line("SEJOUR_S3_INSECURE", strconv.FormatBool(c.S3.Insecure))
	}
	if c.KeyEncryptionKeyFile == "" {
		line("SEJOUR_KEY_ENCRYPTION_KEY", mask(string(c.KeyEncryptionKey)))
	}
	line("SEJOUR_KEY_ENCRYPTION_KEY_FILE", c.KeyEncryptionKeyFile)
	proxies := make([]string, len(c.TrustedProxies))
	for i, p := range c.TrustedProxies {
		proxies[i] = p.String()
	}
	line("SEJOUR_TRUSTED_PROXIES", strings.Join(proxies, ","))
	line("SEJOUR_RATE_LIMIT_KEYS", strconv.Itoa(c.RateLimitKeys))
	line("SEJOUR_API_KEY_RATE", strconv.Itoa(c.APIKeyRate))
	line("SEJOUR_RATE_LIMITS", c.RateLimits)
	line("SEJOUR_DEV", strconv.FormatBool(c.Dev))
	line("SEJOUR_SESSION_TTL", c.SessionTTL.String())
	line("SEJOUR_LOG_LEVEL", c.LogLevel)
	return b.String()
}

// parseProxies reads a comma-separated list of addresses (each its own
// network) and CIDR networks.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func str(getenv Getenv, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

// DefaultBaseURL is the public address of a server listening on addr,
// when SEJOUR_BASE_URL does not say.
func DefaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "********"
}

func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "********")
	}
	return strings.Replace(u.String(), "%2A%2A%2A%2A%2A%2A%2A%2A", "********", 1)
}

func joinLines(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "\n  "))
}
