// Package architecture holds no code: its tests read the source of
// internal/ and hold the rules of docs/architecture.md that the compiler
// cannot (how large a type or an interface may grow, no store reached by
// a type assertion).
package architecture
