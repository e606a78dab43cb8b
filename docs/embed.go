// Package docs holds the documents the program itself serves: the
// OpenAPI description of its API (openapi.yaml), the one source that the
// tests check against the handlers and that /api/openapi.json serves.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPI []byte
