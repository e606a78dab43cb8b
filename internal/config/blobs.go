package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// BlobLocation is where the blobs (uploaded documents, issued attestation
// PDFs) are kept: a directory, or a bucket and prefix of an S3-compatible
// object store. Exactly one of Dir and Bucket is set.
type BlobLocation struct {
	Dir    string // the directory holding blobs/ (by default <data dir>/files)
	Bucket string // S3 bucket
	Prefix string // S3 key prefix, without leading or trailing slash; may be empty
}

// IsS3 reports whether the location is an S3 bucket.
func (l BlobLocation) IsS3() bool { return l.Bucket != "" }

// String writes the location as ParseBlobURL reads it.
func (l BlobLocation) String() string {
	if !l.IsS3() {
		return l.Dir
	}
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// S3 says how to reach the S3-compatible server of s3:// locations.
type S3 struct {
	Endpoint  string // SEJOUR_S3_ENDPOINT without its scheme: host or host:port
	Secure    bool   // HTTPS (the default); plain http when the endpoint says http://
	Region    string // SEJOUR_S3_REGION
	AccessKey string // SEJOUR_S3_ACCESS_KEY
	SecretKey string // SEJOUR_S3_SECRET_KEY, masked when printed
	Insecure  bool   // SEJOUR_S3_INSECURE: allow http:// beyond the loopback
}

// URL writes the endpoint with its scheme, as SEJOUR_S3_ENDPOINT may.
func (s S3) URL() string {
	switch {
	case s.Endpoint == "":
		return ""
	case s.Secure:
		return "https://" + s.Endpoint
	}
	return "http://" + s.Endpoint
}

// ParseBlobURL reads a blob location: empty for def, a directory path or
// file:// URL, or s3://bucket[/prefix].
func ParseBlobURL(s, def string) (BlobLocation, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return BlobLocation{Dir: def}, nil
	case strings.HasPrefix(s, "s3://"):
		return parseS3URL(s)
	case strings.HasPrefix(s, "file://"):
		u, err := url.Parse(s)
		if err != nil || (u.Host != "" && u.Host != "localhost") || u.Path == "" || u.RawQuery != "" || u.Fragment != "" {
			return BlobLocation{}, fmt.Errorf("%q is not a file:///absolute/path URL", s)
		}
		return BlobLocation{Dir: u.Path}, nil
	case strings.Contains(s, "://"):
		return BlobLocation{}, fmt.Errorf("%q: the scheme must be s3:// or file://, or give a directory path", s)
	}
	return BlobLocation{Dir: s}, nil
}

func parseS3URL(s string) (BlobLocation, error) {
	rest := strings.TrimPrefix(s, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !validBucket(bucket) {
		return BlobLocation{}, fmt.Errorf("%q: the bucket name %q is not 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit", s, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsFunc(seg, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '?' || r == '#' || r == '\\' }) {
				return BlobLocation{}, fmt.Errorf("%q: the prefix %q must be words separated by single slashes (no ., .., control characters, ?, # or \\)", s, prefix)
			}
		}
	}
	return BlobLocation{Bucket: bucket, Prefix: prefix}, nil
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	alnum := func(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }
	for i := 0; i < len(b); i++ {
		if c := b[i]; !alnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	return alnum(b[0]) && alnum(b[len(b)-1])
}

// readBlobs reads SEJOUR_BLOB_URL and SEJOUR_S3_* into c, and returns
// every problem, each naming its variable.
func (c *Config) readBlobs(getenv Getenv) []error {
	var errs []error
	var err error
	if c.Blobs, err = ParseBlobURL(getenv("SEJOUR_BLOB_URL"), c.BlobDir()); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_BLOB_URL: %w", err))
	}
	c.S3 = S3{
		Region:    str(getenv, "SEJOUR_S3_REGION", "us-east-1"),
		AccessKey: strings.TrimSpace(getenv("SEJOUR_S3_ACCESS_KEY")),
		SecretKey: strings.TrimSpace(getenv("SEJOUR_S3_SECRET_KEY")),
	}
	if c.S3.Insecure, err = strconv.ParseBool(str(getenv, "SEJOUR_S3_INSECURE", "false")); err != nil {
		errs = append(errs, fmt.Errorf("SEJOUR_S3_INSECURE: %q is not true or false", getenv("SEJOUR_S3_INSECURE")))
	}
	if raw := strings.TrimSpace(getenv("SEJOUR_S3_ENDPOINT")); raw != "" {
		if c.S3.Endpoint, c.S3.Secure, err = parseEndpoint(raw); err != nil {
			errs = append(errs, fmt.Errorf("SEJOUR_S3_ENDPOINT: %w", err))
		} else if !c.S3.Secure && !c.S3.Insecure && !loopback(c.S3.Endpoint) {
			errs = append(errs, fmt.Errorf("SEJOUR_S3_ENDPOINT: %q is plain http beyond the loopback: use https://, or set SEJOUR_S3_INSECURE=true on a trusted network", raw))
		}
	}
	if c.Blobs.IsS3() {
		errs = append(errs, c.S3Ready()...)
	}
	return errs
}

// S3Ready returns what is missing to reach an S3 location, each problem
// naming its variable; nil when nothing is.
func (c *Config) S3Ready() []error {
	var errs []error
	if c.S3.Endpoint == "" {
		errs = append(errs, errors.New("SEJOUR_S3_ENDPOINT: needed for an s3:// location (https://host[:port], or http://127.0.0.1:port for a server on this machine)"))
	}
	if c.S3.AccessKey == "" {
		errs = append(errs, errors.New("SEJOUR_S3_ACCESS_KEY: needed for an s3:// location"))
	}
	if c.S3.SecretKey == "" {
		errs = append(errs, errors.New("SEJOUR_S3_SECRET_KEY: needed for an s3:// location"))
	}
	return errs
}

// parseEndpoint reads host[:port], http://host[:port] or
// https://host[:port]; without a scheme it is HTTPS.
func parseEndpoint(raw string) (hostport string, secure bool, err error) {
	secure = true
	rest := raw
	switch {
	case strings.HasPrefix(raw, "https://"):
		rest = strings.TrimPrefix(raw, "https://")
	case strings.HasPrefix(raw, "http://"):
		rest, secure = strings.TrimPrefix(raw, "http://"), false
	case strings.Contains(raw, "://"):
		return "", false, fmt.Errorf("%q: the scheme must be https:// or http://", raw)
	}
	rest = strings.TrimSuffix(rest, "/")
	u, perr := url.Parse("//" + rest)
	if perr != nil || u.Host != rest || u.Hostname() == "" {
		return "", false, fmt.Errorf("%q is not host[:port] with an optional http:// or https:// (no path, user or query)", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", false, fmt.Errorf("%q: port %q is not a number between 1 and 65535", raw, p)
		}
	}
	return rest, secure, nil
}

// loopback reports whether host[:port] names this machine.
func loopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.IsLoopback()
}
