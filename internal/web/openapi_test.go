package web_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
)

// openAPI is the part of docs/openapi.yaml the test compares with the
// program.
type openAPI struct {
	OpenAPI    string                    `yaml:"openapi"`
	Paths      map[string]map[string]any `yaml:"paths"`
	Components struct {
		Schemas struct {
			Verification struct {
				Properties struct {
					Status struct {
						Enum []string `yaml:"enum"`
					} `yaml:"status"`
				} `yaml:"properties"`
			} `yaml:"Verification"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

// TestOpenAPIDescribesTheAPI fails when a route under /api/ of
// internal/paths (or the key set) is missing from docs/openapi.yaml, when
// the file documents a route the program does not have, or when the
// statuses of /api/v1/verify differ from casework.Outcomes.
func TestOpenAPIDescribesTheAPI(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi: %q, want 3.1", doc.OpenAPI)
	}
	want := []string{paths.KeySet.String()}
	v := reflect.ValueOf(paths.Names())
	for i := range v.NumField() {
		if p := v.Field(i).String(); strings.HasPrefix(p, "/api/") {
			want = append(want, p)
		}
	}
	if len(want) < 2 {
		t.Fatalf("found no route under /api/ in internal/paths")
	}
	for _, p := range want {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("docs/openapi.yaml does not describe %s", p)
		}
	}
	for p := range doc.Paths {
		if !slices.Contains(want, p) {
			t.Errorf("docs/openapi.yaml describes %s, which is not a route of internal/paths under /api/", p)
		}
	}
	if _, ok := doc.Paths[paths.APIVerify.String()]["post"]; !ok {
		t.Errorf("%s: no post operation", paths.APIVerify)
	}
	got := doc.Components.Schemas.Verification.Properties.Status.Enum
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(casework.Outcomes))) {
		t.Errorf("docs/openapi.yaml lists the statuses %v, the program %v", got, casework.Outcomes)
	}
}
