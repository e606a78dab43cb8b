// Package docs holds the documents the program itself serves: the
// OpenAPI description of its API (openapi.yaml), the one source that the
// tests check against the handlers and that /api/openapi.json serves;
// the JSON Schema of the public statistics (statistics.schema.json),
// served at /statistiques/schema.json.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPI []byte

// StatisticsSchema is docs/statistics.schema.json as written.
//
//go:embed statistics.schema.json
var StatisticsSchema []byte
