package web

import (
	"encoding/json"
	"net/http"
)

// WriteJSON sends v as a JSON answer of the API with status. API answers
// are never stored by a cache.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// APIError is the body of an API error: a stable code a program acts on,
// and, for invalid input, the field errors in words.
type APIError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// Unauthorized answers an API call without a usable key: none, unknown
// or revoked, all alike.
func Unauthorized(w http.ResponseWriter) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sejour"`)
	return WriteJSON(w, http.StatusUnauthorized, APIError{Error: "unauthorized"})
}
