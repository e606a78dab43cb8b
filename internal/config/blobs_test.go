package config

import (
	"strings"
	"testing"
)

// s3Env is a complete S3 configuration, to which a test adds or changes
// one variable.
func s3Env(kv ...string) map[string]string {
	m := map[string]string{
		"SEJOUR_BLOB_URL":      "s3://sejour-docs/prod/blobs",
		"SEJOUR_S3_ENDPOINT":   "https://s3.example.org",
		"SEJOUR_S3_ACCESS_KEY": "AKIDEXAMPLE",
		"SEJOUR_S3_SECRET_KEY": "s3-secret-value",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestBlobLocations(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want BlobLocation
		s3   S3
	}{
		{"default", nil, BlobLocation{Dir: "data/files"}, S3{Region: "us-east-1"}},
		{"directory", map[string]string{"SEJOUR_BLOB_URL": "/srv/sejour/files"}, BlobLocation{Dir: "/srv/sejour/files"}, S3{Region: "us-east-1"}},
		{"file URL", map[string]string{"SEJOUR_BLOB_URL": "file:///srv/sejour/files"}, BlobLocation{Dir: "/srv/sejour/files"}, S3{Region: "us-east-1"}},
		{"s3 with prefix", s3Env(), BlobLocation{Bucket: "sejour-docs", Prefix: "prod/blobs"},
			S3{Endpoint: "s3.example.org", Secure: true, Region: "us-east-1", AccessKey: "AKIDEXAMPLE", SecretKey: "s3-secret-value"}},
		{"s3 bucket root, region, no scheme", s3Env("SEJOUR_BLOB_URL", "s3://sejour-docs/", "SEJOUR_S3_ENDPOINT", "s3.example.org:9000", "SEJOUR_S3_REGION", "eu-west-3"),
			BlobLocation{Bucket: "sejour-docs"},
			S3{Endpoint: "s3.example.org:9000", Secure: true, Region: "eu-west-3", AccessKey: "AKIDEXAMPLE", SecretKey: "s3-secret-value"}},
		{"plain http on the loopback", s3Env("SEJOUR_S3_ENDPOINT", "http://127.0.0.1:9000"), BlobLocation{Bucket: "sejour-docs", Prefix: "prod/blobs"},
			S3{Endpoint: "127.0.0.1:9000", Region: "us-east-1", AccessKey: "AKIDEXAMPLE", SecretKey: "s3-secret-value"}},
		{"plain http elsewhere, allowed", s3Env("SEJOUR_S3_ENDPOINT", "http://10.0.0.5:9000", "SEJOUR_S3_INSECURE", "true"), BlobLocation{Bucket: "sejour-docs", Prefix: "prod/blobs"},
			S3{Endpoint: "10.0.0.5:9000", Region: "us-east-1", AccessKey: "AKIDEXAMPLE", SecretKey: "s3-secret-value", Insecure: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Blobs != tt.want {
				t.Errorf("Blobs = %+v, want %+v", c.Blobs, tt.want)
			}
			if c.S3 != tt.s3 {
				t.Errorf("S3 = %+v, want %+v", c.S3, tt.s3)
			}
		})
	}
}

func TestBlobConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown scheme", map[string]string{"SEJOUR_BLOB_URL": "gs://bucket"}, "SEJOUR_BLOB_URL"},
		{"file URL with a host", map[string]string{"SEJOUR_BLOB_URL": "file://server/files"}, "SEJOUR_BLOB_URL"},
		{"bucket too short", s3Env("SEJOUR_BLOB_URL", "s3://ab"), "SEJOUR_BLOB_URL"},
		{"bucket uppercase", s3Env("SEJOUR_BLOB_URL", "s3://Sejour"), "SEJOUR_BLOB_URL"},
		{"bucket missing", s3Env("SEJOUR_BLOB_URL", "s3:///prefix"), "SEJOUR_BLOB_URL"},
		{"prefix with ..", s3Env("SEJOUR_BLOB_URL", "s3://sejour-docs/a/../b"), "SEJOUR_BLOB_URL"},
		{"prefix with //", s3Env("SEJOUR_BLOB_URL", "s3://sejour-docs/a//b"), "SEJOUR_BLOB_URL"},
		{"no endpoint", s3Env("SEJOUR_S3_ENDPOINT", ""), "SEJOUR_S3_ENDPOINT: needed"},
		{"no access key", s3Env("SEJOUR_S3_ACCESS_KEY", ""), "SEJOUR_S3_ACCESS_KEY"},
		{"no secret key", s3Env("SEJOUR_S3_SECRET_KEY", ""), "SEJOUR_S3_SECRET_KEY"},
		{"endpoint with a path", s3Env("SEJOUR_S3_ENDPOINT", "https://s3.example.org/bucket"), "SEJOUR_S3_ENDPOINT"},
		{"endpoint with a user", s3Env("SEJOUR_S3_ENDPOINT", "https://me@s3.example.org"), "SEJOUR_S3_ENDPOINT"},
		{"endpoint scheme", s3Env("SEJOUR_S3_ENDPOINT", "ftp://s3.example.org"), "SEJOUR_S3_ENDPOINT"},
		{"endpoint port", s3Env("SEJOUR_S3_ENDPOINT", "s3.example.org:99999"), "SEJOUR_S3_ENDPOINT"},
		{"plain http beyond the loopback", s3Env("SEJOUR_S3_ENDPOINT", "http://s3.example.org"), "SEJOUR_S3_INSECURE=true"},
		{"insecure not a boolean", s3Env("SEJOUR_S3_INSECURE", "maybe"), "SEJOUR_S3_INSECURE"},
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

func TestS3SecretMasked(t *testing.T) {
	c, err := FromEnv(env(s3Env()))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if strings.Contains(s, "s3-secret-value") {
		t.Errorf("String() leaks the S3 secret key:\n%s", s)
	}
	for _, want := range []string{"SEJOUR_BLOB_URL=s3://sejour-docs/prod/blobs\n", "SEJOUR_S3_ENDPOINT=https://s3.example.org\n",
		"SEJOUR_S3_ACCESS_KEY=AKIDEXAMPLE\n", "SEJOUR_S3_SECRET_KEY=********\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
}

// TestBlobURLRoundTrip: a location prints as it is read.
func TestBlobURLRoundTrip(t *testing.T) {
	for _, s := range []string{"s3://sejour-docs", "s3://sejour-docs/a/b", "/srv/files", "data/files"} {
		l, err := ParseBlobURL(s, "")
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := l.String(); got != s {
			t.Errorf("ParseBlobURL(%q).String() = %q", s, got)
		}
	}
}
